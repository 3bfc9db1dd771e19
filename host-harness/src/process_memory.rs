//! The host process's own memory, as Linux reports it (`/proc/self/status`), for the tool's
//! summary and the benchmarks. Elsewhere, and on any read error, the figures are 0.

/// Resident set size now, in bytes (`VmRSS`).
pub fn rss_bytes() -> u64 {
    status_kib("VmRSS:") * 1024
}

/// Peak resident set size since the process started, in bytes (`VmHWM`).
pub fn peak_rss_bytes() -> u64 {
    status_kib("VmHWM:") * 1024
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_is_at_least_current() {
        let (now, peak) = (super::rss_bytes(), super::peak_rss_bytes());
        assert!(peak >= now && now > 0, "{now} {peak}");
    }
}
