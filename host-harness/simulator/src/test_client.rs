//! A minimal HTTP/1.1 GET client over `std::net::TcpStream`, for tests.
//!
//! It sends `Connection: close` and reads to EOF, so a response is complete when
//! the server closes the connection; a body shorter than its `Content-Length`
//! (a truncation fault) or no response at all (a drop) is reported as an error.

use super::Simulator;
use serde_json::Value;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "invalid JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// GET `{base_url}{path}` with the given `Authorization` header (none if `None`).
pub(crate) fn get_with(
    sim: &Simulator,
    path: &str,
    authorization: Option<&str>,
) -> io::Result<Reply> {
    let mut stream = TcpStream::connect(sim.addr())?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET /api/v2{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{auth}\r\n",
        sim.addr()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw)
}

/// GET with the simulator's first token.
pub(crate) fn get(sim: &Simulator, path: &str) -> Reply {
    let token = sim.token();
    get_with(sim, path, Some(&token)).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

fn parse(raw: &[u8]) -> io::Result<Reply> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    if raw.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed without a response",
        ));
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    if let Some(len) = length {
        if body.len() < len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("body cut short: {} of {len} bytes", body.len()),
            ));
        }
        body.truncate(len);
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}
