//! A command template made concrete for one run: argv (each variable inside its own word,
//! never split or interpreted) and the same values as `DAGPLAN_*` environment variables.
//! Which values a run has is `prepare`'s; parsing the template is `model::template`'s.

use std::collections::BTreeMap;

use crate::model::template::{Piece, Template, Var};

/// The values of one run's variables. A value absent here was refused by `check`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    pub run_id: String,
    pub as_of: String,
    /// The assets the command materializes in this run.
    pub assets: Vec<String>,
    pub keys: Vec<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// Dimension name -> key, for a per-partition run of a multi-partitioned asset.
    pub dims: BTreeMap<String, String>,
}

impl Values {
    fn one(&self, var: &Var) -> String {
        match var {
            Var::Asset => self.assets.first().cloned().unwrap_or_default(),
            Var::Assets => self.assets.join(","),
            Var::Key | Var::First => self.keys.first().cloned().unwrap_or_default(),
            Var::Last => self.keys.last().cloned().unwrap_or_default(),
            Var::Keys => self.keys.join(","),
            Var::Start => self.start.clone().unwrap_or_default(),
            Var::End => self.end.clone().unwrap_or_default(),
            Var::Dim(d) => self.dims.get(d).cloned().unwrap_or_default(),
            Var::RunId => self.run_id.clone(),
            Var::AsOf => self.as_of.clone(),
        }
    }

    /// The argv of `template`: one argument per word, except that a word that is exactly
    /// `{keys}` or `{assets}` becomes one argument per key or asset (as `"$@"` does); inside
    /// a longer word they are joined with `,`.
    pub fn argv(&self, template: &Template) -> Vec<String> {
        let mut out = Vec::with_capacity(template.words.len());
        for word in &template.words {
            match word.0.as_slice() {
                [Piece::Var(Var::Keys, _)] => out.extend(self.keys.iter().cloned()),
                [Piece::Var(Var::Assets, _)] => out.extend(self.assets.iter().cloned()),
                pieces => {
                    let mut arg = String::new();
                    for p in pieces {
                        match p {
                            Piece::Text(t) => arg.push_str(t),
                            Piece::Var(v, _) => arg.push_str(&self.one(v)),
                        }
                    }
                    out.push(arg);
                }
            }
        }
        out
    }

    /// `DAGPLAN_*` variables: lists are joined with newlines (keys never contain one).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("DAGPLAN_RUN_ID".to_string(), self.run_id.clone()),
            ("DAGPLAN_AS_OF".to_string(), self.as_of.clone()),
            ("DAGPLAN_ASSETS".to_string(), self.assets.join("\n")),
            ("DAGPLAN_KEYS".to_string(), self.keys.join("\n")),
        ];
        if self.assets.len() == 1 {
            env.push(("DAGPLAN_ASSET".into(), self.assets[0].clone()));
        }
        if let (Some(first), Some(last)) = (self.keys.first(), self.keys.last()) {
            if self.keys.len() == 1 {
                env.push(("DAGPLAN_KEY".into(), first.clone()));
            }
            env.push(("DAGPLAN_FIRST".into(), first.clone()));
            env.push(("DAGPLAN_LAST".into(), last.clone()));
        }
        if let Some(s) = &self.start {
            env.push(("DAGPLAN_START".into(), s.clone()));
        }
        if let Some(e) = &self.end {
            env.push(("DAGPLAN_END".into(), e.clone()));
        }
        for (d, k) in &self.dims {
            env.push((format!("DAGPLAN_DIM_{}", d.to_uppercase()), k.clone()));
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_stay_one_argument() {
        let t = Template::parse("load --key {key} --k={keys} {keys} x{asset}").expect("template");
        let v = Values {
            assets: vec!["a/b".into()],
            keys: vec!["us east|2024 \"q\" 'é'".into(), "k2".into()],
            ..Values::default()
        };
        assert_eq!(
            v.argv(&t),
            [
                "load",
                "--key",
                "us east|2024 \"q\" 'é'",
                "--k=us east|2024 \"q\" 'é',k2",
                "us east|2024 \"q\" 'é'",
                "k2",
                "xa/b"
            ]
        );
        let env: BTreeMap<_, _> = v.env().into_iter().collect();
        assert_eq!(env["DAGPLAN_KEYS"], "us east|2024 \"q\" 'é'\nk2");
        assert!(!env.contains_key("DAGPLAN_KEY"));
    }
}
