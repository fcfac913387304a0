//! Partitions expressions -> checked definitions: named references (with alias cycles),
//! the time, static, dynamic and multi calls, timezones with suggestions.
//! The rules of what a valid definition is belong to `crate::partitions`; this file
//! binds arguments and points each problem at its span.

use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;

use super::args::{bind, named, positional, Bound, Param, Signature};
use super::values;
use crate::diagnostics::{did_you_mean, suggest, Code, Diagnostic, Diagnostics, Severity};
use crate::model::{PartitionsEntry, PartitionsId};
use crate::partitions::{
    Cadence, DynamicDef, MultiDef, PartitionsDef, SpecError, StaticDef, TimeSpecField, TimeWindowDef, TimeWindowSpec,
};
use crate::source::Span;
use crate::syntax::ast::{Call, Expr, ExprKind, PartitionsDecl};

/// Named definitions may refer to each other (aliases, multi dimensions) this deep at most.
const MAX_NESTING: usize = 32;

const KINDS: [&str; 8] = ["hourly", "daily", "weekly", "monthly", "cron", "static", "dynamic", "multi"];

#[derive(Clone, Copy)]
enum Slot {
    InProgress,
    Done(Option<PartitionsId>),
}

/// Resolves partitions expressions into [`PartitionsEntry`]s, each named definition once.
pub struct Resolver<'m> {
    decls: &'m BTreeMap<String, &'m PartitionsDecl>,
    slots: BTreeMap<String, Slot>,
    entries: Vec<PartitionsEntry>,
    used: BTreeSet<String>,
    depth: usize,
}

impl<'m> Resolver<'m> {
    pub fn new(decls: &'m BTreeMap<String, &'m PartitionsDecl>) -> Resolver<'m> {
        Resolver { decls, slots: BTreeMap::new(), entries: Vec::new(), used: BTreeSet::new(), depth: 0 }
    }

    /// Resolves every named definition, in name order, so each is checked even if unused.
    pub fn resolve_all(&mut self, diags: &mut Diagnostics) {
        let names: Vec<String> = self.decls.keys().cloned().collect();
        for name in names {
            self.resolve_named(&name, diags);
        }
    }

    /// The entries and the set of names that something referred to.
    pub fn finish(self) -> (Vec<PartitionsEntry>, BTreeSet<String>) {
        (self.entries, self.used)
    }

    /// Marks a name as used without resolving it (a value under a misspelt field, say),
    /// so one typo does not also produce an "unused" warning.
    pub fn mark_used(&mut self, name: &str) {
        if self.decls.contains_key(name) {
            self.used.insert(name.to_string());
        }
    }

    pub fn def(&self, id: PartitionsId) -> &PartitionsDef {
        &self.entries[id.0 as usize].def
    }

    /// Resolves the `partitions` field of an asset: a name, or an inline call.
    /// `owner` names the asset, for an inline `dynamic()`'s error message.
    pub fn resolve_field(&mut self, expr: &Expr, diags: &mut Diagnostics) -> Option<PartitionsId> {
        match &expr.kind {
            ExprKind::Path(_) => self.reference(expr, diags),
            ExprKind::Call(call) => {
                let def = self.call_def(call, None, false, diags)?;
                Some(self.push(None, def, expr.span))
            }
            _ => {
                not_a_definition(expr, diags);
                None
            }
        }
    }

    fn push(&mut self, name: Option<String>, def: PartitionsDef, span: Span) -> PartitionsId {
        self.entries.push(PartitionsEntry { name, def, span });
        PartitionsId((self.entries.len() - 1) as u32)
    }

    /// A reference by name from anywhere; marks the name used.
    fn reference(&mut self, expr: &Expr, diags: &mut Diagnostics) -> Option<PartitionsId> {
        let ExprKind::Path(path) = &expr.kind else { return None };
        let Some(ident) = path.as_name() else {
            diags.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("`{}` is an asset key, not a partitions definition", path.as_str()),
                )
                .label(expr.span, "expected a partitions definition name"),
            );
            return None;
        };
        if !self.used.contains(&ident.value) {
            self.used.insert(ident.value.clone());
        }
        if !self.decls.contains_key(&ident.value) {
            let help = suggest(&ident.value, self.decls.keys().map(String::as_str)).or_else(|| {
                KINDS
                    .contains(&ident.value.as_str())
                    .then(|| format!("`{0}` is a kind of partitions: call it, `{0}(...)`", ident.value))
            });
            diags.push(
                Diagnostic::error(Code::UnknownPartitions, format!("no partitions definition named `{}`", ident.value))
                    .label(ident.span, "not defined")
                    .help_opt(help.or_else(|| {
                        Some(format!("declare it: partitions {} = daily(start = \"2024-01-01\")", ident.value))
                    })),
            );
            return None;
        }
        self.resolve_named(&ident.value, diags)
    }

    /// Resolves a named definition; an alias chain is followed without recursion.
    fn resolve_named(&mut self, name: &str, diags: &mut Diagnostics) -> Option<PartitionsId> {
        // Every asset refers to a definition resolved long before: answer without allocating.
        if let Some(Slot::Done(r)) = self.slots.get(name) {
            return *r;
        }
        let mut chain: Vec<String> = Vec::new();
        let mut current = name.to_string();
        let result = loop {
            match self.slots.get(&current) {
                Some(Slot::Done(r)) => break *r,
                Some(Slot::InProgress) => {
                    self.report_cycle(&current, &chain, diags);
                    break None;
                }
                None => {}
            }
            let Some(decl) = self.decls.get(&current).copied() else { break None };
            self.slots.insert(current.clone(), Slot::InProgress);
            chain.push(current.clone());
            match &decl.value.kind {
                ExprKind::Path(p) => match p.as_name() {
                    Some(target) if self.decls.contains_key(&target.value) => {
                        self.used.insert(target.value.clone());
                        current = target.value.clone();
                    }
                    _ => break self.reference(&decl.value, diags),
                },
                ExprKind::Call(call) => {
                    let def = self.call_def(call, Some(&decl.name.value), false, diags);
                    break def.map(|d| self.push(Some(decl.name.value.clone()), d, decl.span));
                }
                _ => {
                    not_a_definition(&decl.value, diags);
                    break None;
                }
            }
        };
        for n in chain {
            self.slots.insert(n, Slot::Done(result));
        }
        result
    }

    fn report_cycle(&self, back_to: &str, chain: &[String], diags: &mut Diagnostics) {
        let Some(decl) = self.decls.get(back_to) else { return };
        let start = chain.iter().position(|n| n == back_to).unwrap_or(0);
        let mut path: Vec<&str> = chain[start..].iter().map(String::as_str).collect();
        path.push(back_to);
        let mut d = Diagnostic::error(
            Code::PartitionsCycle,
            format!("partitions definitions refer to each other in a cycle: {}", path.join(" -> ")),
        )
        .label(decl.name.span, "the cycle starts here");
        for n in &chain[start..] {
            if let Some(other) = self.decls.get(n) {
                if n != back_to {
                    d = d.label(other.value.span, "refers on");
                }
            }
        }
        diags.push(d.help("one definition in the cycle must be a call such as `daily(...)`"));
    }

    /// The definition a dimension or alias expression denotes.
    fn expr_def(&mut self, expr: &Expr, in_multi: bool, diags: &mut Diagnostics) -> Option<PartitionsDef> {
        match &expr.kind {
            ExprKind::Path(_) => {
                let id = self.reference(expr, diags)?;
                Some(self.def(id).clone())
            }
            ExprKind::Call(call) => self.call_def(call, None, in_multi, diags),
            _ => {
                not_a_definition(expr, diags);
                None
            }
        }
    }

    /// A partitions call. `decl_name` is the declared name (the default name of a dynamic).
    fn call_def(
        &mut self,
        call: &Call,
        decl_name: Option<&str>,
        in_multi: bool,
        diags: &mut Diagnostics,
    ) -> Option<PartitionsDef> {
        self.depth += 1;
        let def = if self.depth > MAX_NESTING {
            diags.push(
                Diagnostic::error(
                    Code::NestedMulti,
                    format!("partitions definitions nest deeper than {MAX_NESTING} levels"),
                )
                .label(call.span, "too deep"),
            );
            None
        } else {
            match call.callee.value.as_str() {
                "hourly" => time_def(call, Cadence::Hourly, diags),
                "daily" => time_def(call, Cadence::Daily, diags),
                "weekly" => time_def(call, Cadence::Weekly, diags),
                "monthly" => time_def(call, Cadence::Monthly, diags),
                "cron" => time_def(call, Cadence::Cron(String::new()), diags),
                "static" => static_def(call, diags),
                "dynamic" => dynamic_def(call, decl_name, in_multi, diags),
                "multi" => self.multi_def(call, diags),
                other => {
                    let help = suggest(other, KINDS).or_else(|| {
                        super::mappings::is_mapping_name(other)
                            .then(|| format!("`{other}` is a partition mapping; it goes after `via` in `deps`"))
                    });
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownPartitionsKind,
                            format!("`{other}` is not a kind of partitions"),
                        )
                        .label(call.callee.span, "unknown partitions kind")
                        .help(help.unwrap_or_else(|| format!("the kinds are {}", KINDS.join(", ")))),
                    );
                    None
                }
            }
        };
        self.depth -= 1;
        def
    }

    fn multi_def(&mut self, call: &Call, diags: &mut Diagnostics) -> Option<PartitionsDef> {
        let mut dims: Vec<(String, PartitionsDef)> = Vec::new();
        let mut dim_spans: Vec<Span> = Vec::new();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut ok = true;
        for arg in &call.args {
            let Some(name) = &arg.name else {
                diags.push(
                    Diagnostic::error(Code::UnexpectedPositional, "`multi(...)` takes named dimensions only")
                        .label(arg.span, "unnamed dimension")
                        .help("name the dimension: multi(date = daily, region = regions)"),
                );
                ok = false;
                continue;
            };
            if let Some(first) = seen.get(name.value.as_str()) {
                diags.push(
                    Diagnostic::error(Code::DuplicateArgument, format!("dimension `{}` is given twice", name.value))
                        .label(arg.span, "given again here")
                        .label(*first, "first given here"),
                );
                ok = false;
                continue;
            }
            seen.insert(&name.value, arg.span);
            match self.expr_def(&arg.value, true, diags) {
                Some(PartitionsDef::Multi(_)) => {
                    diags.push(
                        Diagnostic::error(
                            Code::NestedMulti,
                            format!("dimension `{}` is itself a multi partitions definition", name.value),
                        )
                        .label(arg.value.span, "a multi inside a multi")
                        .help("list its dimensions directly in this `multi(...)`"),
                    );
                    ok = false;
                }
                Some(def) => {
                    dims.push((name.value.clone(), def));
                    dim_spans.push(arg.span);
                }
                None => ok = false,
            }
        }
        if call.args.len() < 2 {
            diags.push(
                Diagnostic::error(
                    Code::MultiArity,
                    format!("`multi(...)` needs at least two dimensions, found {}", call.args.len()),
                )
                .label(call.span, "too few dimensions")
                .help("with one dimension, use that definition directly"),
            );
            return None;
        }
        if !ok {
            return None;
        }
        match MultiDef::new(dims) {
            Ok(m) => Some(PartitionsDef::Multi(m)),
            Err(errs) => {
                for (dim, _key, e) in errs {
                    let span = dim_spans.get(dim).copied().unwrap_or(call.span);
                    diags.push(spec_diagnostic(e, span));
                }
                None
            }
        }
    }
}

fn not_a_definition(expr: &Expr, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(
            Code::WrongType,
            format!(
                "expected a partitions definition (a name or a call like `daily(...)`), found {}",
                expr.kind.describe()
            ),
        )
        .label(expr.span, "expected a partitions definition"),
    );
}

/// A diagnostic from a definition rule's error, at `span`.
fn spec_diagnostic(e: SpecError, span: Span) -> Diagnostic {
    let d = Diagnostic::error(e.code, e.message).label(span, "here").help_opt(e.help);
    if matches!(e.code, Code::LossyFmt | Code::EmptyStatic) {
        Diagnostic { severity: Severity::Warning, ..d }
    } else {
        d
    }
}

const START: Param = positional("start", true, "start = \"2024-01-01\"");
const END: Param = named("end", "end = \"2025-01-01\"");
const TZ: Param = named("timezone", "timezone = \"UTC\"");
const FMT: Param = named("fmt", "fmt = \"%Y-%m-%d\"");
const MINUTE: Param = named("minute_offset", "minute_offset = 0");
const HOUR: Param = named("hour_offset", "hour_offset = 0");
const DAY: Param = named("day_offset", "day_offset = 0");
const END_OFFSET: Param = named("end_offset", "end_offset = 0");
const EXCLUSIONS: Param = named("exclusions", "exclusions = [\"0 0 * * 6,0\"]");

const HOURLY: Signature = Signature { params: &[START, END, TZ, FMT, MINUTE, END_OFFSET, EXCLUSIONS], variadic: false };
const DAILY: Signature =
    Signature { params: &[START, END, TZ, FMT, MINUTE, HOUR, END_OFFSET, EXCLUSIONS], variadic: false };
const WEEKLY_MONTHLY: Signature =
    Signature { params: &[START, END, TZ, FMT, MINUTE, HOUR, DAY, END_OFFSET, EXCLUSIONS], variadic: false };
const CRON: Signature = Signature {
    params: &[
        positional("schedule", true, "a cron string first: cron(\"0 6 * * *\", start = \"2024-01-01\")"),
        START,
        END,
        TZ,
        FMT,
        END_OFFSET,
        EXCLUSIONS,
    ],
    variadic: false,
};

/// Parses an IANA zone name, suggesting the nearest valid one.
pub fn timezone(name: &str, span: Span, diags: &mut Diagnostics) -> Option<Tz> {
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
    let exact = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).find(|n| n.eq_ignore_ascii_case(name));
    let near = exact.or_else(|| did_you_mean(name, names)).or_else(|| {
        // A city alone ("Berlin") or with the wrong region: match the last segment.
        let city = name.rsplit('/').next().unwrap_or(name).replace(' ', "_");
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|t| t.name())
            .find(|n| n.rsplit('/').next().is_some_and(|c| c.eq_ignore_ascii_case(&city)))
    });
    diags.push(
        Diagnostic::error(Code::BadTimezone, format!("`{name}` is not an IANA timezone"))
            .label(span, "unknown timezone")
            .help(match near {
                Some(n) => format!("did you mean `{n}`?"),
                None => "use an IANA name such as \"UTC\", \"Europe/Berlin\" or \"America/New_York\"".into(),
            }),
    );
    None
}

fn opt_string(b: &Bound, name: &str, diags: &mut Diagnostics) -> Option<Option<String>> {
    match b.get(name) {
        None => Some(None),
        Some(e) => values::string(e, &format!("`{name}`"), diags).map(|s| Some(s.value)),
    }
}

fn opt_int(b: &Bound, name: &str, diags: &mut Diagnostics) -> Option<Option<i64>> {
    match b.get(name) {
        None => Some(None),
        Some(e) => values::int(e, &format!("`{name}`"), diags).map(Some),
    }
}

fn time_def(call: &Call, cadence: Cadence, diags: &mut Diagnostics) -> Option<PartitionsDef> {
    let sig = match cadence {
        Cadence::Hourly => &HOURLY,
        Cadence::Daily => &DAILY,
        Cadence::Weekly | Cadence::Monthly => &WEEKLY_MONTHLY,
        Cadence::Cron(_) => &CRON,
    };
    let b = bind(call, sig, diags)?;
    let mut ok = true;
    let mut take = |v: Option<Option<String>>| {
        v.unwrap_or_else(|| {
            ok = false;
            None
        })
    };
    let schedule = take(opt_string(&b, "schedule", diags));
    let start = take(opt_string(&b, "start", diags));
    let end = take(opt_string(&b, "end", diags));
    let fmt = take(opt_string(&b, "fmt", diags));
    let tz_text = take(opt_string(&b, "timezone", diags));
    let mut take_int = |v: Option<Option<i64>>| {
        v.unwrap_or_else(|| {
            ok = false;
            None
        })
    };
    let minute_offset = take_int(opt_int(&b, "minute_offset", diags));
    let hour_offset = take_int(opt_int(&b, "hour_offset", diags));
    let day_offset = take_int(opt_int(&b, "day_offset", diags));
    let end_offset = take_int(opt_int(&b, "end_offset", diags)).unwrap_or(0);
    // Dagster accepts weekly day 7 (no partitions at all) and monthly day 0 (read as day 1);
    // both are mistakes, so dagplan refuses them (see the README).
    let day_range = match cadence {
        Cadence::Weekly => Some((0, 6, "0 (Sunday) to 6 (Saturday)")),
        Cadence::Monthly => Some((1, 31, "1 to 31")),
        _ => None,
    };
    if let (Some((lo, hi, words)), Some(day), Some(e)) = (day_range, day_offset, b.get("day_offset")) {
        if day < lo || day > hi {
            diags.push(
                Diagnostic::error(Code::OffsetOutOfRange, format!("`day_offset` {day} is out of range"))
                    .label(e.span, format!("expected {words}"))
                    .help(format!("use a day_offset from {words}")),
            );
            ok = false;
        }
    }
    let exclusion_exprs: Vec<&Expr> = match b.get("exclusions") {
        None => Vec::new(),
        Some(e) => match values::list(e, "`exclusions`", diags) {
            Some(items) => items.iter().collect(),
            None => {
                ok = false;
                Vec::new()
            }
        },
    };
    let mut exclusions = Vec::new();
    for e in &exclusion_exprs {
        match values::string(e, "an exclusion", diags) {
            Some(s) => exclusions.push(s.value),
            None => ok = false,
        }
    }
    let timezone = match (&tz_text, b.get("timezone")) {
        (Some(name), Some(e)) => match self::timezone(name, e.span, diags) {
            Some(tz) => tz,
            None => {
                ok = false;
                Tz::UTC
            }
        },
        _ => Tz::UTC,
    };
    if !ok {
        return None;
    }
    let cadence = match cadence {
        Cadence::Cron(_) => Cadence::Cron(schedule.unwrap_or_default()),
        c => c,
    };
    let spec = TimeWindowSpec {
        cadence,
        start: start.unwrap_or_default(),
        end,
        timezone,
        fmt,
        minute_offset,
        hour_offset,
        day_offset,
        end_offset,
        exclusions,
    };
    match TimeWindowDef::new(spec) {
        Ok(def) => {
            for (field, warning) in def.warnings().iter().cloned() {
                diags.push(spec_diagnostic(warning, field_span(&b, field, &exclusion_exprs)));
            }
            Some(PartitionsDef::Time(def))
        }
        Err(errs) => {
            for (field, e) in errs {
                diags.push(spec_diagnostic(e, field_span(&b, field, &exclusion_exprs)));
            }
            None
        }
    }
}

/// The span of the argument a time definition problem is about (the call when absent).
fn field_span(b: &Bound, field: TimeSpecField, exclusions: &[&Expr]) -> Span {
    let name = match field {
        TimeSpecField::Cron => "schedule",
        TimeSpecField::Start => "start",
        TimeSpecField::End => "end",
        TimeSpecField::Fmt => "fmt",
        TimeSpecField::MinuteOffset => "minute_offset",
        TimeSpecField::HourOffset => "hour_offset",
        TimeSpecField::DayOffset => "day_offset",
        TimeSpecField::EndOffset => "end_offset",
        TimeSpecField::Exclusion(i) => return exclusions.get(i).map_or(b.call_span, |e| e.span),
    };
    b.get(name).map_or(b.call_span, |e| e.span)
}

const STATIC: Signature = Signature { params: &[], variadic: true };

fn static_def(call: &Call, diags: &mut Diagnostics) -> Option<PartitionsDef> {
    let b = bind(call, &STATIC, diags)?;
    let mut keys = Vec::new();
    let mut spans = Vec::new();
    for e in &b.rest {
        if let ExprKind::List(_) = e.kind {
            diags.push(
                Diagnostic::error(Code::WrongType, "`static(...)` takes its keys as arguments, not a list")
                    .label(e.span, "a list")
                    .help("drop the brackets: static(\"a\", \"b\")"),
            );
            return None;
        }
        let s = values::string(e, "a static partition key", diags)?;
        keys.push(s.value);
        spans.push(s.span);
    }
    match StaticDef::new(keys) {
        Ok(def) => {
            for w in def.warnings() {
                diags.push(spec_diagnostic(w, call.span));
            }
            Some(PartitionsDef::Static(def))
        }
        Err(errs) => {
            for (i, e) in errs {
                diags.push(spec_diagnostic(e, spans.get(i).copied().unwrap_or(call.span)));
            }
            None
        }
    }
}

const DYNAMIC: Signature = Signature { params: &[positional("name", false, "name = \"customers\"")], variadic: false };

fn dynamic_def(call: &Call, decl_name: Option<&str>, in_multi: bool, diags: &mut Diagnostics) -> Option<PartitionsDef> {
    let b = bind(call, &DYNAMIC, diags)?;
    let name = match b.get("name") {
        Some(e) => values::string(e, "the dynamic partitions name", diags)?.value,
        None => match decl_name {
            Some(n) => n.to_string(),
            None => {
                let place = if in_multi { "inside `multi(...)`" } else { "written inline" };
                diags.push(
                    Diagnostic::error(Code::DynamicNameRequired, format!("a `dynamic()` {place} needs a name"))
                        .label(call.span, "no name")
                        .help("name it, dynamic(\"customers\"), or declare it: partitions customers = dynamic()"),
                );
                return None;
            }
        },
    };
    Some(PartitionsDef::Dynamic(DynamicDef { name }))
}
