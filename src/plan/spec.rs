//! The `--partitions` argument: `all`, `last:N`, a key, `A...B`, comma lists, and for multi
//! partitions per-dimension specs (`date=2024-01-01...2024-01-31,region=us`).
//! Parsing only; resolving against a definition's keys happens in `targets`.

/// One term of a key list: a key or an inclusive range by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Key(String),
    Range(String, String),
}

/// A parsed `--partitions` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionSpec {
    /// Every existing partition as of the plan's time (the default).
    All,
    /// The newest N partitions.
    Last(u64),
    /// Keys and ranges of the whole definition (composite keys for multi).
    Terms(Vec<Term>),
    /// Per-dimension terms of a multi definition; unnamed dimensions take every key.
    Dimensions(Vec<(String, Vec<Term>)>),
}

fn term(text: &str) -> Result<Term, String> {
    match text.split_once("...") {
        Some((a, b)) => {
            if a.is_empty() || b.is_empty() || b.contains("...") {
                return Err(format!("`{text}` is not a range: write FIRST...LAST"));
            }
            Ok(Term::Range(a.to_string(), b.to_string()))
        }
        None if text.is_empty() => Err("an empty key in the partitions list".into()),
        None => Ok(Term::Key(text.to_string())),
    }
}

/// Parses a `--partitions` value. `dimensions` are the names of the multi dimensions of
/// the targeted definition (empty otherwise), so `date=...` can be told from a key with `=`.
pub fn parse(text: &str, dimensions: &[String]) -> Result<PartitionSpec, String> {
    let text = text.trim();
    if text == "all" {
        return Ok(PartitionSpec::All);
    }
    if let Some(n) = text.strip_prefix("last:") {
        return match n.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(PartitionSpec::Last(n)),
            _ => Err(format!("`last:{n}` needs a positive number of partitions")),
        };
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    fn dim_of<'t>(p: &'t str, dimensions: &[String]) -> Option<(&'t str, &'t str)> {
        p.split_once('=').filter(|(d, _)| dimensions.iter().any(|x| x == d.trim()))
    }
    if !dimensions.is_empty() && parts.first().is_some_and(|p| dim_of(p, dimensions).is_some()) {
        let mut dims: Vec<(String, Vec<Term>)> = Vec::new();
        for p in parts {
            if let Some((d, rest)) = dim_of(p, dimensions) {
                let d = d.trim().to_string();
                if dims.iter().any(|(x, _)| *x == d) {
                    return Err(format!("dimension `{d}` is given twice"));
                }
                dims.push((d, vec![term(rest.trim())?]));
            } else if let Some((_, terms)) = dims.last_mut() {
                terms.push(term(p)?);
            }
        }
        return Ok(PartitionSpec::Dimensions(dims));
    }
    Ok(PartitionSpec::Terms(parts.into_iter().map(term).collect::<Result<_, _>>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse("all", &[]).unwrap(), PartitionSpec::All);
        assert_eq!(parse("last:7", &[]).unwrap(), PartitionSpec::Last(7));
        assert!(parse("last:0", &[]).is_err());
        assert_eq!(
            parse("2024-01-01...2024-01-31,2024-03-01", &[]).unwrap(),
            PartitionSpec::Terms(vec![
                Term::Range("2024-01-01".into(), "2024-01-31".into()),
                Term::Key("2024-03-01".into())
            ])
        );
        let dims = vec!["date".to_string(), "region".to_string()];
        assert_eq!(
            parse("date=2024-01-01...2024-01-31,region=us,eu", &dims).unwrap(),
            PartitionSpec::Dimensions(vec![
                ("date".into(), vec![Term::Range("2024-01-01".into(), "2024-01-31".into())]),
                ("region".into(), vec![Term::Key("us".into()), Term::Key("eu".into())]),
            ])
        );
        assert!(parse("a...", &[]).is_err());
        assert!(parse("a,,b", &[]).is_err());
        assert!(parse("date=a,date=b", &dims).is_err());
    }
}
