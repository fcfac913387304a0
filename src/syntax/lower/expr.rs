//! Values: literals, lists, maps, calls, paths and `TARGET via CALL`.
//! Recursion here is bounded by the nesting pre-scan; the depth counter is a second guard.

use super::cursor::{internal, unexpected};
use super::{Lower, Lowered, Node};
use crate::syntax::ast::{Arg, Call, Expr, ExprKind, MapEntry};
use crate::syntax::nesting::MAX_NESTING;
use crate::syntax::parser::Rule;

impl Lower {
    /// `expr = { atom ~ (kw_via ~ call)? }`
    pub(super) fn lower_expr(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        if self.depth > 2 * MAX_NESTING {
            return Err(internal(self.span(pair), "values nest deeper than the pre-scan allows".into()));
        }
        self.depth += 1;
        let expr = self.lower_expr_inner(pair);
        self.depth -= 1;
        expr
    }

    fn lower_expr_inner(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        let mut c = self.cursor(pair);
        let target = self.lower_atom(c.next_any()?)?;
        let expr = if c.eat(Rule::kw_via).is_some() {
            let call = self.lower_call(c.expect(Rule::call)?)?;
            // Span from the target to the mapping call, without trailing whitespace.
            Expr { span: target.span.to(call.span), kind: ExprKind::Via(Box::new(target), call) }
        } else {
            target
        };
        c.finish()?;
        Ok(expr)
    }

    /// `atom = _{ boolean | path_or_call | string | integer | list | map }`
    ///
    /// The recursive kinds get their own functions and the leaves share one, which keeps this
    /// frame (paid once per nesting level) small.
    fn lower_atom(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        match pair.as_rule() {
            Rule::list => self.lower_list(pair),
            Rule::map => self.lower_map(pair),
            Rule::path_or_call => self.lower_path_or_call(pair),
            _ => self.lower_leaf(pair),
        }
    }

    /// `path_or_call = ${ name ~ ((slash ~ name)+ | gap ~ args)? }`: a call when `args`
    /// follow the name, else an asset key.
    fn lower_path_or_call(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        let span = self.span(pair);
        let mut c = self.cursor(pair);
        let first = self.lower_name(c.expect(Rule::name)?);
        let kind = match c.eat(Rule::args) {
            Some(args) => ExprKind::Call(Call { callee: first, args: self.lower_args(args)?, span }),
            None => ExprKind::Path(self.lower_key_rest(first, &mut c, span)?),
        };
        c.finish()?;
        Ok(Expr { kind, span })
    }

    /// The atoms that contain no values: strings, integers, booleans and paths.
    fn lower_leaf(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        let span = self.span(pair);
        let kind = match pair.as_rule() {
            Rule::string => ExprKind::Str(self.lower_string(pair).value),
            Rule::integer => ExprKind::Int(self.lower_integer(pair)),
            Rule::boolean => ExprKind::Bool(self.lower_boolean(pair)?),
            _ => return Err(unexpected(self.file, Rule::expr, pair, "a value")),
        };
        Ok(Expr { kind, span })
    }

    /// `list = { lbracket ~ (expr ~ (comma ~ expr)* ~ comma?)? ~ rbracket }`
    pub(super) fn lower_list(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        let span = self.span(pair);
        let mut c = self.cursor(pair);
        c.expect(Rule::lbracket)?;
        let mut items = Vec::with_capacity(c.count(Rule::expr));
        loop {
            if let Some(item) = c.eat(Rule::expr) {
                items.push(self.lower_expr(item)?);
            } else if c.eat(Rule::comma).is_none() {
                c.expect(Rule::rbracket)?;
                c.finish()?;
                return Ok(Expr { kind: ExprKind::List(items), span });
            }
        }
    }

    /// `map = { lbrace ~ (map_entry ~ comma?)* ~ rbrace }`
    fn lower_map(&mut self, pair: Node<'_>) -> Lowered<Expr> {
        let span = self.span(pair);
        let mut c = self.cursor(pair);
        c.expect(Rule::lbrace)?;
        let mut entries = Vec::with_capacity(c.count(Rule::map_entry));
        loop {
            if let Some(entry) = c.eat(Rule::map_entry) {
                entries.push(self.lower_map_entry(entry)?);
            } else if c.eat(Rule::comma).is_none() {
                c.expect(Rule::rbrace)?;
                c.finish()?;
                return Ok(Expr { kind: ExprKind::Map(entries), span });
            }
        }
    }

    /// `map_entry = { (name | string) ~ eq ~ expr }`
    fn lower_map_entry(&mut self, pair: Node<'_>) -> Lowered<MapEntry> {
        let mut c = self.cursor(pair);
        let key = match c.eat(Rule::name) {
            Some(name) => self.lower_name(name),
            None => self.lower_string(c.expect(Rule::string)?),
        };
        c.expect(Rule::eq)?;
        let value = self.lower_expr(c.expect(Rule::expr)?)?;
        c.finish()?;
        Ok(MapEntry { span: key.span.to(value.span), key, value })
    }

    /// `call = { name ~ args }`
    pub(super) fn lower_call(&mut self, pair: Node<'_>) -> Lowered<Call> {
        let span = self.span(pair);
        let mut c = self.cursor(pair);
        let callee = self.lower_name(c.expect(Rule::name)?);
        let args = self.lower_args(c.expect(Rule::args)?)?;
        c.finish()?;
        Ok(Call { callee, args, span })
    }

    /// `args = !{ lparen ~ (arg ~ (comma ~ arg)* ~ comma?)? ~ rparen }`
    fn lower_args(&mut self, pair: Node<'_>) -> Lowered<Vec<Arg>> {
        let mut c = self.cursor(pair);
        c.expect(Rule::lparen)?;
        let mut args = Vec::with_capacity(c.count(Rule::arg));
        loop {
            if let Some(arg) = c.eat(Rule::arg) {
                args.push(self.lower_arg(arg)?);
            } else if c.eat(Rule::comma).is_none() {
                c.expect(Rule::rparen)?;
                c.finish()?;
                return Ok(args);
            }
        }
    }

    /// `arg = { (name ~ eq)? ~ expr }`: named when the name is there, positional otherwise.
    fn lower_arg(&mut self, pair: Node<'_>) -> Lowered<Arg> {
        let mut c = self.cursor(pair);
        let name = match c.eat(Rule::name) {
            Some(name) => {
                let name = self.lower_name(name);
                c.expect(Rule::eq)?;
                Some(name)
            }
            None => None,
        };
        let value = self.lower_expr(c.expect(Rule::expr)?)?;
        c.finish()?;
        let start = name.as_ref().map_or(value.span, |n| n.span);
        Ok(Arg { span: start.to(value.span), name, value })
    }
}
