//! The typed syntax tree of one `.dag` file, every node with its byte span.
//! Purely syntactic: names are not resolved and values are not type-checked here.

use crate::source::{FileId, Span, Spanned};

/// A name as written: `[A-Za-z_][A-Za-z0-9_]*`.
pub type Ident = Spanned<String>;

/// One parsed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub file: FileId,
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Import(Import),
    Partitions(PartitionsDecl),
    Asset(AssetDecl),
    MultiAsset(MultiAssetDecl),
    Job(JobDecl),
}

/// `import "PATH"`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub path: Spanned<String>,
    pub span: Span,
}

/// `partitions NAME = EXPR`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionsDecl {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `asset KEY { FIELD* }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetDecl {
    pub key: AssetKey,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `multi_asset NAME { FIELD* }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiAssetDecl {
    pub name: Ident,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `job NAME { FIELD* }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobDecl {
    pub name: Ident,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `name = value` inside an item body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// An asset key: one or more names joined by `/` (`analytics/revenue_report`).
#[derive(Clone, PartialEq, Eq)]
pub struct AssetKey {
    pub segments: Vec<Ident>,
    pub span: Span,
    /// The segments joined by `/`, kept because the checker looks keys up by this text
    /// (joining them on every lookup was a tenth of the check).
    text: String,
}

/// As derived before `text` was kept: `text` is the segments again.
impl std::fmt::Debug for AssetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetKey").field("segments", &self.segments).field("span", &self.span).finish()
    }
}

impl AssetKey {
    /// A key of `segments` (at least one), spanning `span`.
    pub fn new(segments: Vec<Ident>, span: Span) -> AssetKey {
        let mut text = String::with_capacity(segments.iter().map(|s| s.value.len() + 1).sum());
        for (i, s) in segments.iter().enumerate() {
            if i > 0 {
                text.push('/');
            }
            text.push_str(&s.value);
        }
        AssetKey { segments, span, text }
    }

    /// The key as users write it, segments joined by `/`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The key as users write it, segments joined by `/`, as a new `String`.
    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// The single segment when the key is a plain name (a definition reference), else `None`.
    pub fn as_name(&self) -> Option<&Ident> {
        match self.segments.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

/// A value expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// A string literal, escapes already decoded.
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Expr>),
    Map(Vec<MapEntry>),
    Call(Call),
    /// A bare name or `/`-joined asset key.
    Path(AssetKey),
    /// `TARGET via MAPPING`, as in `deps = [a via last()]` or `date = "day" via identity()`.
    Via(Box<Expr>, Call),
}

impl ExprKind {
    /// What kind of value this is, in words, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ExprKind::Str(_) => "a string",
            ExprKind::Int(_) => "an integer",
            ExprKind::Bool(_) => "a boolean",
            ExprKind::List(_) => "a list",
            ExprKind::Map(_) => "a map",
            ExprKind::Call(_) => "a call",
            ExprKind::Path(_) => "a name",
            ExprKind::Via(..) => "a `via` expression",
        }
    }
}

/// `name(arg, name = arg, ...)`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub callee: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

/// A call argument, positional (`name` is `None`) or named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

/// `key = value` in a map; the key was written as a name or a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapEntry {
    pub key: Spanned<String>,
    pub value: Expr,
    pub span: Span,
}
