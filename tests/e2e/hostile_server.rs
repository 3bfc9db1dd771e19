//! A hostile server: its answers hold ids made to steer the connector's next requests
//! (`../../user?x=1#`, `x?y=`, `a/b`). Every request must stay on the endpoint the connector
//! meant, with the id as one path segment, and the records must carry the ids as they came.

use crate::harness::{choices, host, quick};
use host_harness::{sync, Checkpoint, EgressPolicy, Observer, Run, RunOptions, SyncEnd, SyncState};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const WORKSPACE: &str = "../../user?x=1#";
const SPACE: &str = "x?y=";
const FOLDER: &str = "../team";
const LIST: &str = "a/b";

/// A server on loopback that answers every hierarchy request with the hostile ids, and records
/// the request target of every request it receives.
struct HostileServer {
    base_url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl HostileServer {
    fn start() -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/api/v2", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        HostileServer { base_url, seen }
    }

    fn targets(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: std::net::TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
        }
        let target = request_line.split(' ').nth(1).unwrap_or("").to_owned();
        log.lock().unwrap().push(target.clone());
        let path = target.split('?').next().unwrap_or("");
        let body = answer(path).to_string();
        let status = if body == "null" {
            "404 Not Found"
        } else {
            "200 OK"
        };
        let _ = write!(
            writer,
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    }
}

/// The answer to a path, by the shape of its last segment.
fn answer(path: &str) -> Value {
    let space = json!({"id": SPACE, "name": "S", "archived": false});
    match path.rsplit('/').next().unwrap_or("") {
        "team" => json!({"teams": [{"id": WORKSPACE, "name": "W", "members": []}]}),
        "space" => json!({"spaces": [space]}),
        "folder" => json!({"folders": [{"id": FOLDER, "name": "F", "archived": false}]}),
        "list" => json!({"lists": [{"id": LIST, "name": "L", "archived": true}]}),
        "task" => json!({"tasks": [], "last_page": true}),
        _ => Value::Null,
    }
}

/// The id as one percent-encoded path segment (letters, digits, `-`, `_`, `~` as they are).
fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Default)]
struct Records(Vec<(String, Value)>);

impl Observer for Records {
    fn records(&mut self, stream: &str, records: &[String]) -> anyhow::Result<()> {
        for r in records {
            self.0.push((stream.to_owned(), serde_json::from_str(r)?));
        }
        Ok(())
    }
    fn checkpoint(&mut self, _stream: &str, _c: &Checkpoint) -> anyhow::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn ids_from_a_hostile_server_never_change_the_endpoint_the_query_or_the_host() {
    let server = HostileServer::start();
    let mut run = Run::new(
        &host(),
        RunOptions {
            egress: EgressPolicy::for_base_url(&server.base_url).unwrap(),
            ..RunOptions::default()
        },
    )
    .await
    .unwrap();
    let config = json!({"api_token": "pk_1_HOSTILE", "base_url": server.base_url}).to_string();
    let mut out = Records::default();
    let end = sync(
        &mut run,
        &config,
        &choices(&["spaces", "folders", "lists", "tasks"]),
        &mut SyncState::new(),
        &quick(),
        &mut out,
    )
    .await
    .unwrap();
    assert!(matches!(end, SyncEnd::Complete), "{end:?}");

    let (ws, space, folder, list) = (
        segment(WORKSPACE),
        segment(SPACE),
        segment(FOLDER),
        segment(LIST),
    );
    let endpoints = [
        "/api/v2/team".to_owned(),
        format!("/api/v2/team/{ws}/space"),
        format!("/api/v2/team/{ws}/task"),
        format!("/api/v2/space/{space}/folder"),
        format!("/api/v2/space/{space}/list"),
        format!("/api/v2/folder/{folder}/list"),
        format!("/api/v2/list/{list}/task"),
    ];
    let targets = server.targets();
    assert!(targets.len() >= endpoints.len(), "{targets:#?}");
    for target in &targets {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        assert!(
            endpoints.iter().any(|e| e == path),
            "a request left its endpoint: {target}"
        );
        let keys: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split('=').next().unwrap_or(""))
            .collect();
        assert!(
            !keys.iter().any(|k| *k == "x" || *k == "y"),
            "an id reached the query: {target}"
        );
    }
    for endpoint in &endpoints {
        assert!(
            targets
                .iter()
                .any(|t| t.split('?').next() == Some(endpoint)),
            "never asked {endpoint}: {targets:#?}"
        );
    }

    // The records carry the ids exactly as the server sent them.
    let ids = |stream: &str| -> Vec<Value> {
        out.0
            .iter()
            .filter(|(s, _)| s == stream)
            .map(|(_, r)| r["id"].clone())
            .collect()
    };
    assert!(ids("spaces").iter().all(|id| id == SPACE) && !ids("spaces").is_empty());
    assert!(ids("folders").iter().all(|id| id == FOLDER) && !ids("folders").is_empty());
    assert!(ids("lists").iter().all(|id| id == LIST) && !ids("lists").is_empty());
    let space_record = &out.0.iter().find(|(s, _)| s == "spaces").unwrap().1;
    assert_eq!(space_record["workspace_id"], WORKSPACE);
}
