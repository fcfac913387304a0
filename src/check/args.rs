//! Binding a call's arguments to a signature: positional and named, unknown, duplicate
//! and missing arguments reported with did-you-mean.

use crate::diagnostics::{suggest, Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::ast::{Call, Expr};

/// One parameter of a call signature.
pub struct Param {
    pub name: &'static str,
    /// May be given by position (positional parameters come first, in order).
    pub positional: bool,
    pub required: bool,
    /// Shown in "missing argument" help: `start = "2024-01-01"`.
    pub example: &'static str,
}

pub const fn named(name: &'static str, example: &'static str) -> Param {
    Param { name, positional: false, required: false, example }
}

pub const fn positional(name: &'static str, required: bool, example: &'static str) -> Param {
    Param { name, positional: true, required, example }
}

/// A call's parameters; `variadic` takes any further positional arguments.
pub struct Signature {
    pub params: &'static [Param],
    pub variadic: bool,
}

/// The arguments of one call, bound to parameter names.
pub struct Bound<'a> {
    values: Vec<(&'static str, &'a Expr)>,
    /// Extra positional arguments of a variadic call.
    pub rest: Vec<&'a Expr>,
    pub call_span: Span,
}

impl<'a> Bound<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Expr> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Binds `call`'s arguments to `sig`, reporting every problem; returns `None` only when a
/// required argument is missing.
pub fn bind<'a>(call: &'a Call, sig: &Signature, diags: &mut Diagnostics) -> Option<Bound<'a>> {
    let callee = &call.callee.value;
    let mut bound = Bound { values: Vec::new(), rest: Vec::new(), call_span: call.span };
    let mut spans: Vec<(&'static str, Span)> = Vec::new();
    let positional: Vec<&Param> = sig.params.iter().filter(|p| p.positional).collect();
    let mut next_pos = 0;
    let mut seen_named = false;
    for arg in &call.args {
        match &arg.name {
            None => {
                if seen_named {
                    diags.push(
                        Diagnostic::error(
                            Code::UnexpectedPositional,
                            format!("positional argument after a named one in `{callee}(...)`"),
                        )
                        .label(arg.span, "positional argument")
                        .help("put positional arguments first, or name this one"),
                    );
                    continue;
                }
                if let Some(p) = positional.get(next_pos) {
                    next_pos += 1;
                    bound.values.push((p.name, &arg.value));
                    spans.push((p.name, arg.span));
                } else if sig.variadic {
                    bound.rest.push(&arg.value);
                } else {
                    let names: Vec<&str> = sig.params.iter().filter(|p| !p.positional).map(|p| p.name).collect();
                    let help = if positional.is_empty() {
                        format!("`{callee}` takes named arguments only: {}", list(&names))
                    } else {
                        format!("`{callee}` takes {} positional argument(s); name the others", positional.len())
                    };
                    diags.push(
                        Diagnostic::error(
                            Code::UnexpectedPositional,
                            format!("too many positional arguments to `{callee}(...)`"),
                        )
                        .label(arg.span, "unexpected positional argument")
                        .help(help),
                    );
                }
            }
            Some(name) => {
                seen_named = true;
                let Some(p) = sig.params.iter().find(|p| p.name == name.value) else {
                    let names: Vec<&str> = sig.params.iter().map(|p| p.name).collect();
                    let help = suggest(&name.value, names.iter().copied())
                        .unwrap_or_else(|| format!("`{callee}` takes {}", list(&names)));
                    diags.push(
                        Diagnostic::error(
                            Code::UnknownArgument,
                            format!("`{callee}` has no argument `{}`", name.value),
                        )
                        .label(name.span, "unknown argument")
                        .help(help),
                    );
                    continue;
                };
                if let Some((_, first)) = spans.iter().find(|(n, _)| *n == p.name) {
                    diags.push(
                        Diagnostic::error(Code::DuplicateArgument, format!("argument `{}` is given twice", p.name))
                            .label(arg.span, "given again here")
                            .label(*first, "first given here")
                            .help("remove one of them"),
                    );
                    continue;
                }
                bound.values.push((p.name, &arg.value));
                spans.push((p.name, arg.span));
            }
        }
    }
    let mut complete = true;
    for p in sig.params.iter().filter(|p| p.required) {
        if !bound.has(p.name) {
            complete = false;
            diags.push(
                Diagnostic::error(Code::MissingArgument, format!("`{callee}(...)` needs the argument `{}`", p.name))
                    .label(call.span, format!("`{}` is missing", p.name))
                    .help(format!("add {}", p.example)),
            );
        }
    }
    complete.then_some(bound)
}

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if quoted.is_empty() {
        "no arguments".into()
    } else {
        quoted.join(", ")
    }
}
