//! The tool's own inputs, fuzzed through the real binary: the config, the Airbyte catalog, the
//! Airbyte state, the Singer state and the `run-many` tenants file. Each case is a valid file
//! (one that the same command accepts: checked first) with one structured mutation that makes it
//! invalid by the file's contract: truncated, invalid UTF-8, nested 3,000 deep, a field of the
//! wrong type, an unknown field where the file is strict, a number out of range, an empty file, a
//! directory instead of a file. A seeded generator makes the same cases on every run.
//!
//! Every case must end with exit 3 and an explanation on stderr (and, for `read`, an Airbyte
//! `TRACE` error of type `config_error` on stdout), never a panic (no "panicked", no exit 101),
//! and with nothing written: the `--output` folder, the `--sqlite` database or the tenant's
//! output folder does not exist afterwards, and no RECORD was emitted (Singer's go to stdout).
//!
//! One class is held to its own rule: a mutation below one stream's checkpoint, which only the
//! connector can refuse, fails that stream alone and must say `--reset STREAM` (see
//! [`fails_alone`]).

mod support;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use support::{component, messages, sim, sim_config, tempdir, text, tool};

/// The JSON messages among stdout's lines (a run that got as far as writing a folder prints a
/// summary table instead).
fn json_lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Cases per input kind (450 runs of the binary in all, two at a time).
const CASES: [(Kind, usize); 5] = [
    (Kind::Config, 120),
    (Kind::Catalog, 60),
    (Kind::AirbyteState, 100),
    (Kind::SingerState, 70),
    (Kind::Tenants, 100),
];

/// Which input a case mutates.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Config,
    Catalog,
    AirbyteState,
    SingerState,
    Tenants,
}

/// One step of a path into a JSON document.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// What is done to the valid file.
#[derive(Clone, Debug)]
enum Mutation {
    /// Only the first `n` bytes (0: an empty file).
    Truncate(usize),
    /// A byte that is never UTF-8 (0xFF) inserted at this offset.
    InvalidUtf8(usize),
    /// The value at the path replaced by arrays nested 3,000 deep.
    DeepNesting(Vec<Step>),
    /// The value at the path replaced by one of another JSON type (never null: null means
    /// "absent" for some fields).
    WrongType(Vec<Step>, Value),
    /// An unknown field added to the object at the path.
    UnknownField(Vec<Step>),
    /// The number at the path replaced by this literal (out of range, or not an integer).
    BadNumber(Vec<Step>, &'static str),
    /// A directory where the file should be.
    Directory,
}

/// A mutated input, and the file it was made from.
#[derive(Debug)]
struct Case {
    kind: Kind,
    mutation: Mutation,
}

/// A small, seeded generator (xorshift64*): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Every path in `value`, with its value.
fn paths(value: &Value) -> Vec<(Vec<Step>, Value)> {
    fn walk(v: &Value, at: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Value)>) {
        out.push((at.clone(), v.clone()));
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    at.push(Step::Key(k.clone()));
                    walk(child, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    at.push(Step::Index(i));
                    walk(child, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn at_mut<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn keys(path: &[Step]) -> Vec<&str> {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => k.as_str(),
            Step::Index(_) => "[]",
        })
        .collect()
}

/// Whether the file's contract fixes the type of the value at `path` (so that another type
/// must be refused), and whether the object there refuses unknown fields.
fn strict(kind: Kind, path: &[Step]) -> (bool, bool) {
    let k = keys(path);
    // Workspace ids may be given as numbers too (`["1", 2]`): only the list is typed.
    if k.ends_with(&["workspace_ids", "[]"]) {
        return (false, false);
    }
    match kind {
        // Every config field is typed, and the config refuses unknown fields.
        Kind::Config => (true, k.is_empty()),
        // The fields the tool reads of a configured catalog; Airbyte catalogs carry more, which
        // a source must accept.
        Kind::Catalog => (
            matches!(
                k.as_slice(),
                [] | ["streams"]
                    | ["streams", "[]"]
                    | ["streams", "[]", "stream"]
                    | ["streams", "[]", "stream", "name"]
                    | ["streams", "[]", "sync_mode"]
            ),
            false,
        ),
        // The stream descriptor and the connector's own state, which is strict throughout.
        Kind::AirbyteState => {
            let inner = k.len() >= 4 && k[..4] == ["[]", "stream", "stream_state", "state"];
            let typed = matches!(
                k.as_slice(),
                [] | ["[]"]
                    | ["[]", "stream"]
                    | ["[]", "stream", "stream_descriptor"]
                    | ["[]", "stream", "stream_descriptor", "name"]
                    | ["[]", "stream", "stream_state"]
                    | ["[]", "stream", "stream_state", "cursor"]
            ) || (inner && k.len() > 4);
            // Only the state object itself: its `watermarks` map is keyed by workspace.
            (typed, inner && k.len() == 4)
        }
        Kind::SingerState => {
            let inner = k.len() >= 3 && k[0] == "bookmarks" && k[2] == "state";
            let typed = matches!(k.as_slice(), [] | ["bookmarks"] | ["bookmarks", _])
                || (k.len() == 3 && (k[2] == "cursor" || k[2] == "state"))
                || (inner && k.len() > 3);
            (typed, inner && k.len() == 3)
        }
        // Tenants and their limits refuse unknown fields; the tenant's config is a config.
        Kind::Tenants => {
            let typed = true;
            let objects = matches!(k.as_slice(), ["[]"] | ["[]", "limits"] | ["[]", "config"]);
            (typed, objects)
        }
    }
}

/// A value of another JSON type than `v` (never null).
fn other_type(rng: &mut Rng, v: &Value) -> Value {
    let choices = [
        json!(true),
        json!(17),
        json!("text"),
        json!([1, "two"]),
        json!({"k": 1}),
        json!(-2.5),
    ];
    loop {
        let c = rng.pick(&choices).clone();
        let same = matches!(
            (v, &c),
            (Value::Bool(_), Value::Bool(_))
                | (Value::Number(_), Value::Number(_))
                | (Value::String(_), Value::String(_))
                | (Value::Array(_), Value::Array(_))
                | (Value::Object(_), Value::Object(_))
        );
        if !same {
            return c;
        }
    }
}

/// Literals no integer field of these files accepts.
const BAD_NUMBERS: [&str; 6] = [
    "1e400",
    "18446744073709551616",
    "-9223372036854775809",
    "1e300",
    "0.5",
    "-1",
];

/// The cases of `kind` for the valid document `base`.
fn generate(rng: &mut Rng, kind: Kind, base: &Value, n: usize) -> Vec<Case> {
    let all = paths(base);
    // Null stands for "absent" in some fields: only values that are there change type.
    let typed: Vec<_> = all
        .iter()
        .filter(|(p, v)| !v.is_null() && strict(kind, p).0)
        .collect();
    let objects: Vec<_> = all
        .iter()
        .filter(|(p, v)| v.is_object() && strict(kind, p).1)
        .collect();
    let numbers: Vec<_> = typed.iter().filter(|(_, v)| v.is_number()).collect();
    let len = base.to_string().len();
    let mut cases = vec![Case {
        kind,
        mutation: Mutation::Directory,
    }];
    while cases.len() < n {
        let mutation = match rng.below(7) {
            0 => Mutation::Truncate(rng.below(len)),
            1 => Mutation::InvalidUtf8(rng.below(len + 1)),
            2 => Mutation::DeepNesting(rng.pick(&typed).0.clone()),
            3 if !objects.is_empty() => Mutation::UnknownField(rng.pick(&objects).0.clone()),
            4 if !numbers.is_empty() => Mutation::BadNumber(
                rng.pick(&numbers).0.clone(),
                BAD_NUMBERS[rng.below(BAD_NUMBERS.len())],
            ),
            _ => {
                let (path, v) = rng.pick(&typed);
                Mutation::WrongType(path.clone(), other_type(rng, v))
            }
        };
        cases.push(Case { kind, mutation });
    }
    cases
}

/// The bytes of the mutated file (`None`: a directory).
fn render(base: &Value, mutation: &Mutation) -> Option<Vec<u8>> {
    const RAW: &str = "\u{1}RAW\u{1}";
    let with_raw = |path: &[Step], raw: &str| {
        let mut v = base.clone();
        *at_mut(&mut v, path) = json!(RAW);
        v.to_string().replace(&json!(RAW).to_string(), raw)
    };
    let text = base.to_string();
    Some(
        match mutation {
            Mutation::Truncate(n) => text[..*n].to_owned(),
            Mutation::InvalidUtf8(at) => {
                let mut bytes = text.into_bytes();
                bytes.insert(*at, 0xFF);
                return Some(bytes);
            }
            Mutation::DeepNesting(path) => {
                with_raw(path, &format!("{}{}", "[".repeat(3000), "]".repeat(3000)))
            }
            Mutation::WrongType(path, value) => with_raw(path, &value.to_string()),
            Mutation::BadNumber(path, literal) => with_raw(path, literal),
            Mutation::UnknownField(path) => {
                let mut v = base.clone();
                at_mut(&mut v, path)["zz_not_a_field"] = json!(1);
                v.to_string()
            }
            Mutation::Directory => return None,
        }
        .into_bytes(),
    )
}

/// Whether the case damages only what lies below one stream's checkpoint: only the connector can
/// tell it is wrong, and by the CLI's design that stream fails alone (exit 3, with the way out,
/// `--reset STREAM`) while the other streams sync and are written. Those cases must say
/// `--reset`; the rule "nothing written" is not theirs.
fn fails_alone(case: &Case) -> bool {
    let k = |path: &[Step]| {
        keys(path)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let inner = |path: &[Step]| {
        let k = k(path);
        match case.kind {
            Kind::AirbyteState => k.len() >= 4 && k[..3] == ["[]", "stream", "stream_state"],
            Kind::SingerState => k.len() >= 3 && k[0] == "bookmarks",
            _ => false,
        }
    };
    matches!(
        &case.mutation,
        Mutation::WrongType(p, _) | Mutation::UnknownField(p) | Mutation::BadNumber(p, _) if inner(p)
    )
}

/// The valid files the cases start from, and how to run each.
struct Inputs {
    dir: PathBuf,
    config: Value,
    catalog: Value,
    airbyte_state: Value,
    singer_state: Value,
    tenants: Value,
    sim_host: String,
}

impl Inputs {
    fn base(&self, kind: Kind) -> &Value {
        match kind {
            Kind::Config => &self.config,
            Kind::Catalog => &self.catalog,
            Kind::AirbyteState => &self.airbyte_state,
            Kind::SingerState => &self.singer_state,
            Kind::Tenants => &self.tenants,
        }
    }

    /// Runs `case` number `n` (or the unmutated file when `case` is `None`); returns what
    /// broke the rules, if anything.
    fn run(&self, n: usize, kind: Kind, case: Option<&Case>) -> Result<(), String> {
        let dir = self.dir.join(format!("case-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, value: &Value| {
            let p = dir.join(name);
            std::fs::write(&p, value.to_string()).unwrap();
            p
        };
        let input = dir.join("input.json");
        match case.map(|c| render(self.base(kind), &c.mutation)) {
            None => std::fs::write(&input, self.base(kind).to_string()).unwrap(),
            Some(Some(bytes)) => std::fs::write(&input, bytes).unwrap(),
            Some(None) => std::fs::create_dir(&input).unwrap(),
        }
        let config = write("config.json", &self.config);
        // Where a sync would write: a folder or a database, alternately.
        let output = if n.is_multiple_of(2) {
            dir.join("out")
        } else {
            dir.join("out.sqlite")
        };
        let out_flag = if n.is_multiple_of(2) {
            "--output"
        } else {
            "--sqlite"
        };
        let path = |p: &Path| p.to_str().unwrap().to_owned();
        let mut args: Vec<String> = match kind {
            Kind::Config => vec!["read".into(), "--config".into(), path(&input)],
            Kind::Catalog => {
                let c = path(&config);
                vec![
                    "read".into(),
                    "--config".into(),
                    c,
                    "--catalog".into(),
                    path(&input),
                ]
            }
            Kind::AirbyteState => {
                let c = path(&config);
                vec![
                    "read".into(),
                    "--config".into(),
                    c,
                    "--state".into(),
                    path(&input),
                ]
            }
            Kind::SingerState => {
                let c = path(&config);
                vec![
                    "singer".into(),
                    "--config".into(),
                    c,
                    "--state".into(),
                    path(&input),
                ]
            }
            Kind::Tenants => vec![
                "run-many".into(),
                "--allow-host".into(),
                self.sim_host.clone(),
                "--tenants".into(),
                path(&input),
            ],
        };
        if matches!(kind, Kind::Config | Kind::Catalog | Kind::AirbyteState) {
            args.extend([out_flag.to_owned(), path(&output)]);
        }
        // The tenant's folder, relative to the tenants file.
        let written = if kind == Kind::Tenants {
            dir.join("acme")
        } else {
            output
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tool(&args);
        let all = text(&out);
        let code = out.status.code();
        let what = format!("case {n} ({kind:?}, {:?})", case.map(|c| &c.mutation));
        if case.is_none() {
            return match code {
                Some(0) => Ok(()),
                _ => Err(format!("{what}: the valid file failed: {all}")),
            };
        }
        if all.contains("panicked") || code == Some(101) {
            return Err(format!("{what}: panicked: {all}"));
        }
        if code != Some(3) {
            return Err(format!("{what}: exit {code:?}, not 3: {all}"));
        }
        // run-many explains a tenant's failure in its report on stdout.
        if out.stderr.is_empty() && (kind != Kind::Tenants || out.stdout.is_empty()) {
            return Err(format!("{what}: no explanation"));
        }
        // A number JSON cannot hold (1e400) spoils the whole file, not one stream's part.
        let whole_file_parses = std::fs::read(&input)
            .ok()
            .is_some_and(|b| serde_json::from_slice::<Value>(&b).is_ok());
        if case.is_some_and(fails_alone) && whole_file_parses {
            if !all.contains("--reset") {
                return Err(format!(
                    "{what}: the stream's failure does not say --reset: {all}"
                ));
            }
            let _ = std::fs::remove_dir_all(&dir);
            return Ok(());
        }
        if written.exists() {
            return Err(format!("{what}: {} was written", written.display()));
        }
        if json_lines(&out).iter().any(|m| m["type"] == "RECORD") {
            return Err(format!("{what}: records were emitted"));
        }
        if kind != Kind::SingerState && kind != Kind::Tenants {
            let typed = json_lines(&out).iter().any(|m| {
                m["type"] == "TRACE" && m["trace"]["error"]["failure_type"] == "config_error"
            });
            if !typed {
                return Err(format!("{what}: no TRACE config_error on stdout: {all}"));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}

/// The valid files, from a real run against the simulator.
fn inputs(sim: &clickup_sim::Simulator, name: &str) -> Inputs {
    let dir = tempdir(name);
    let workspaces: Vec<String> = sim
        .world()
        .workspaces
        .iter()
        .map(|w| w.id.clone())
        .collect();
    let mut config = sim_config(sim);
    for (k, v) in [
        ("include_archived", json!(true)),
        ("incremental_overlap_seconds", json!(300)),
        ("max_rate_limit_wait_seconds", json!(120)),
        ("max_requests_per_minute", json!(100_000)),
        ("start_date", json!("2017-01-01")),
        ("time_entries_lookback_days", json!(30)),
        ("time_entries_window_days", json!(3650)),
        ("workspace_ids", json!(workspaces)),
    ] {
        config[k] = v;
    }
    let config_file = dir.join("config.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    let cfg = config_file.to_str().unwrap();
    let read = tool(&["read", "--config", cfg]);
    assert_eq!(read.status.code(), Some(0), "{}", text(&read));
    let read = messages(&read);
    let mut last = std::collections::BTreeMap::new();
    for m in read.iter().filter(|m| m["type"] == "STATE") {
        let s = m["state"]["stream"]["stream_descriptor"]["name"].to_string();
        last.insert(s, m["state"].clone());
    }
    let airbyte_state = Value::Array(last.into_values().collect());
    let singer = tool(&["singer", "--config", cfg]);
    assert_eq!(singer.status.code(), Some(0), "{}", text(&singer));
    let singer_state = messages(&singer)
        .into_iter()
        .rfind(|m| m["type"] == "STATE")
        .expect("a Singer STATE")["value"]
        .clone();
    let catalog = json!({"streams": [
        {"stream": {"name": "spaces"}, "sync_mode": "full_refresh"},
        {"stream": {"name": "tasks"}, "sync_mode": "incremental"},
    ]});
    let tenants = json!([{
        "name": "acme",
        "config": config,
        "output": "acme",
        "limits": {"memory_mib": 256, "cpu_ms_per_call": 60000,
                   "wall_seconds_per_call": 600, "max_requests": 100000},
    }]);
    Inputs {
        sim_host: sim.base_url().split('/').nth(2).unwrap().to_owned(),
        dir,
        config,
        catalog,
        airbyte_state,
        singer_state,
        tenants,
    }
}

/// Runs the cases that `keep` selects, two at a time; returns the failures and the count.
fn fuzz(name: &str, keep: impl Fn(&Case) -> bool) -> (Vec<String>, usize) {
    let sim = sim(911);
    let inputs = inputs(&sim, name);
    // Each valid file is accepted by the command the cases run.
    for (i, (kind, _)) in CASES.iter().enumerate() {
        inputs.run(i, *kind, None).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir_all(inputs.dir.join(format!("case-{i}")));
    }
    let mut rng = Rng(0x5EED_C11C_0FF1_CE00);
    let cases: Vec<Case> = CASES
        .iter()
        .flat_map(|(kind, n)| generate(&mut rng, *kind, inputs.base(*kind), *n))
        .filter(|c| keep(c))
        .collect();
    let failures = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (cases, inputs) = (&cases, &inputs);
                scope.spawn(move || {
                    cases
                        .iter()
                        .enumerate()
                        .skip(w)
                        .step_by(2)
                        .filter_map(|(n, c)| inputs.run(100 + n, c.kind, Some(c)).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    (failures, cases.len())
}

#[test]
fn every_mutated_input_is_a_config_error_with_exit_3_no_panic_and_nothing_written() {
    // The binary is built; make sure the component is too, before the clock starts.
    let _ = component();
    let started = std::time::Instant::now();
    let (failures, n) = fuzz("fuzz-inputs", |_| true);
    assert!(
        failures.is_empty(),
        "{} of {n} cases broke the rules:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(n >= 250, "only {n} cases");
    eprintln!(
        "fuzz_inputs: {n} cases, 0 panics, all exit 3 with nothing written, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
