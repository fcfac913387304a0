//! GraphQL over plain HTTP to a Dagster webserver: one POST per query, with timeouts and a
//! size limit, and every way that can fail (no connection, an HTTP error, a reply that is not
//! JSON, GraphQL errors, a Python error result) as one [`DagsterError`]. Queries are others'.

use std::time::Duration;

use serde_json::{json, Value};

use crate::diagnostics::{Code, Diagnostic};

/// The largest reply read: partition keys of every asset of a big code location fit.
const MAX_REPLY_BYTES: u64 = 256 << 20;
/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one query may take in all (Dagster computes some answers on request).
const QUERY_TIMEOUT: Duration = Duration::from_secs(300);

/// Why Dagster gave no usable answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DagsterError {
    pub message: String,
    pub help: Option<String>,
}

impl DagsterError {
    pub fn new(message: impl Into<String>) -> DagsterError {
        DagsterError { message: message.into(), help: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> DagsterError {
        self.help = Some(help.into());
        self
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(Code::DagsterError, self.message.clone()).help_opt(self.help.clone())
    }
}

/// A Dagster webserver's GraphQL endpoint.
pub struct Client {
    /// The webserver's base URL, without a trailing `/`.
    base: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the webserver at `url` (`http://127.0.0.1:3000`, with or without
    /// `/graphql`). Only `http://`: this build has no TLS (reach a remote Dagster through a
    /// tunnel or a local proxy).
    pub fn new(url: &str) -> Result<Client, DagsterError> {
        let url = url.trim().trim_end_matches('/');
        let base = url.strip_suffix("/graphql").unwrap_or(url);
        if base.starts_with("https://") {
            return Err(DagsterError::new(format!("`{url}`: this dagplan speaks plain http:// only"))
                .help("reach the webserver through a local tunnel or proxy (ssh -L 3000:host:3000) and give http://127.0.0.1:3000"));
        }
        if !base.starts_with("http://") || base.len() <= "http://".len() {
            return Err(DagsterError::new(format!("`{url}` is not an http:// URL"))
                .help("give the webserver's address, e.g. --url http://127.0.0.1:3000"));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(QUERY_TIMEOUT))
            .max_redirects(0)
            .build()
            .into();
        Ok(Client { base: base.to_string(), agent })
    }

    /// The webserver's base URL (for links printed to people).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Runs `query` with `variables`; returns its `data`.
    pub fn query(&self, query: &str, variables: Value) -> Result<Value, DagsterError> {
        let endpoint = format!("{}/graphql", self.base);
        let unreachable = |e: &dyn std::fmt::Display| {
            DagsterError::new(format!("cannot reach Dagster at `{endpoint}`: {e}"))
                .help("start `dagster-webserver` (or `dagster dev`) and give its address with --url")
        };
        let mut reply = self
            .agent
            .post(&endpoint)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .send(request_body(query, variables))
            .map_err(|e| unreachable(&e))?;
        let status = reply.status().as_u16();
        let body = reply
            .body_mut()
            .with_config()
            .limit(MAX_REPLY_BYTES)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(|e| unreachable(&e))?;
        parse_reply(&endpoint, status, &body)
    }
}

/// The JSON body of a GraphQL request.
pub fn request_body(query: &str, variables: Value) -> String {
    json!({ "query": query, "variables": variables }).to_string()
}

/// The `data` of a GraphQL reply, or why there is none.
pub fn parse_reply(endpoint: &str, status: u16, body: &str) -> Result<Value, DagsterError> {
    let not_graphql = |why: String| {
        DagsterError::new(format!("`{endpoint}` answered HTTP {status} with {why}, not Dagster's GraphQL API"))
            .help("check that --url is a Dagster webserver's address (dagster-webserver prints it)")
    };
    let reply: Value = serde_json::from_str(body).map_err(|_| not_graphql(excerpt(body)))?;
    if let Some(errors) = reply.get("errors").and_then(Value::as_array).filter(|e| !e.is_empty()) {
        let messages: Vec<String> = errors
            .iter()
            .take(5)
            .map(|e| e.get("message").and_then(Value::as_str).unwrap_or("an error without a message").to_string())
            .collect();
        return Err(DagsterError::new(format!("Dagster refused the query: {}", messages.join("; ")))
            .help("this dagplan speaks the GraphQL API of Dagster 1.13; check the webserver's version"));
    }
    match reply.get("data") {
        Some(data) if data.is_object() && (200..300).contains(&status) => Ok(data.clone()),
        _ => Err(not_graphql("a reply without `data`".into())),
    }
}

/// The first 120 characters of a reply, for an error message.
fn excerpt(body: &str) -> String {
    let t = body.trim();
    if t.is_empty() {
        return "an empty reply".into();
    }
    let cut: String = t.chars().take(120).collect();
    let more = if cut.len() < t.len() { "..." } else { "" };
    format!("`{}{more}`", cut.replace('\n', " "))
}

/// `value` when its `__typename` is `want`; else the error result it is (Dagster answers
/// errors as typed results: `PythonError`, `PipelineNotFoundError`, ... with a `message`).
pub fn expect_type<'a>(value: &'a Value, want: &str, doing: &str) -> Result<&'a Value, DagsterError> {
    let got = value.get("__typename").and_then(Value::as_str).unwrap_or("nothing");
    if got == want {
        return Ok(value);
    }
    let message = value.get("message").and_then(Value::as_str).map(first_line).unwrap_or_default();
    let detail = if message.is_empty() { String::new() } else { format!(": {message}") };
    Err(DagsterError::new(format!("Dagster could not {doing}: {got}{detail}")))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

/// A string field of a reply, or an error naming it.
pub fn str_field<'a>(value: &'a Value, field: &str) -> Result<&'a str, DagsterError> {
    value.get(field).and_then(Value::as_str).ok_or_else(|| missing(field))
}

/// An array field of a reply, or an error naming it.
pub fn array_field<'a>(value: &'a Value, field: &str) -> Result<&'a [Value], DagsterError> {
    value.get(field).and_then(Value::as_array).map(Vec::as_slice).ok_or_else(|| missing(field))
}

/// A list of strings in a reply.
pub fn strings(value: &Value, field: &str) -> Result<Vec<String>, DagsterError> {
    array_field(value, field)?.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(|| missing(field))).collect()
}

fn missing(field: &str) -> DagsterError {
    DagsterError::new(format!("Dagster's reply has no valid `{field}`"))
        .help("this dagplan speaks the GraphQL API of Dagster 1.13; check the webserver's version")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized_and_https_refused() {
        assert_eq!(Client::new("http://127.0.0.1:3000/graphql").unwrap().base(), "http://127.0.0.1:3000");
        assert_eq!(Client::new(" http://h:1/ ").unwrap().base(), "http://h:1");
        assert!(Client::new("https://h").err().unwrap().message.contains("plain http"));
        assert!(Client::new("h:3000").is_err());
        assert!(Client::new("http://").is_err());
    }

    #[test]
    fn a_request_is_query_and_variables() {
        let body: Value = serde_json::from_str(&request_body("query { version }", json!({"a": 1}))).unwrap();
        assert_eq!(body, json!({"query": "query { version }", "variables": {"a": 1}}));
    }

    #[test]
    fn replies_become_data_or_errors() {
        assert_eq!(
            parse_reply("e", 200, r#"{"data": {"version": "1.13.28"}}"#).unwrap(),
            json!({"version": "1.13.28"})
        );
        let e = parse_reply("e", 200, r#"{"errors": [{"message": "Cannot query field \"x\""}], "data": null}"#);
        assert!(e.unwrap_err().message.contains("Cannot query field"));
        let e = parse_reply("e", 502, "<html>Bad Gateway</html>").unwrap_err();
        assert!(e.message.contains("HTTP 502") && e.message.contains("Bad Gateway"), "{}", e.message);
        assert!(parse_reply("e", 200, "").unwrap_err().message.contains("empty reply"));
        assert!(parse_reply("e", 404, r#"{"data": {}}"#).is_err());
        assert!(parse_reply("e", 200, r#"[1, 2]"#).is_err());
    }

    #[test]
    fn typed_results_name_the_error() {
        let ok = json!({"__typename": "LaunchRunSuccess", "run": {}});
        assert!(expect_type(&ok, "LaunchRunSuccess", "launch").is_ok());
        let bad = json!({"__typename": "PythonError", "message": "KeyError: 'x'\nTraceback ..."});
        let e = expect_type(&bad, "LaunchRunSuccess", "launch the run").unwrap_err();
        assert_eq!(e.message, "Dagster could not launch the run: PythonError: KeyError: 'x'");
        assert!(strings(&json!({"a": ["x", 1]}), "a").is_err());
    }
}
