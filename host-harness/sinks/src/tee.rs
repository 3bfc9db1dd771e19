//! Several observers as one: every event goes to each, in order (a record sink and a progress
//! display, say).

use host_harness::{CallError, Checkpoint, Observer, PageStats};

/// Several observers, called in order.
pub struct Tee<'a>(pub Vec<&'a mut dyn Observer>);

impl Observer for Tee<'_> {
    fn stream_started(&mut self, s: &str) {
        self.0.iter_mut().for_each(|o| o.stream_started(s));
    }
    fn records(&mut self, s: &str, r: &[String]) -> anyhow::Result<()> {
        self.0.iter_mut().try_for_each(|o| o.records(s, r))
    }
    fn checkpoint(&mut self, s: &str, c: &Checkpoint) -> anyhow::Result<()> {
        self.0.iter_mut().try_for_each(|o| o.checkpoint(s, c))
    }
    fn warning(&mut self, s: &str, m: &str) {
        self.0.iter_mut().for_each(|o| o.warning(s, m));
    }
    fn rate_limited(&mut self, s: &str, r: u64) {
        self.0.iter_mut().for_each(|o| o.rate_limited(s, r));
    }
    fn page(&mut self, s: &str, n: usize, st: &PageStats) {
        self.0.iter_mut().for_each(|o| o.page(s, n, st));
    }
    fn stream_complete(&mut self, s: &str) {
        self.0.iter_mut().for_each(|o| o.stream_complete(s));
    }
    fn stream_failed(&mut self, s: &str, e: &CallError) {
        self.0.iter_mut().for_each(|o| o.stream_failed(s, e));
    }
    /// Every observer is told, even after one fails; the first error is the result.
    fn sync_ended(&mut self) -> anyhow::Result<()> {
        let mut first = Ok(());
        for o in self.0.iter_mut() {
            let ended = o.sync_ended();
            if first.is_ok() {
                first = ended;
            }
        }
        first
    }
}
