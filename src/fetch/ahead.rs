//! Requests sent ahead, side by side, and what bounds them.
//!
//! A `read-page` call sends one batch ([`Fetcher::prefetch`]): the answers wait here until the
//! `get` of each takes them, which then classifies, retries and parses them as it does every
//! answer. What the batch may hold is decided here too: the width ([`crate::concurrency`]), the
//! rate-limit window's room, one request per resource not yet known readable, and the lists'
//! `task_count` ([`Fetcher::note_list`]) that says where a task partition ends.

use super::{denials, path_with_query, Fetcher, Request};
use crate::transport::Transport;

impl<T: Transport> Fetcher<'_, T> {
    /// How many requests this call may keep in flight now (see [`crate::concurrency`]).
    pub fn width(&self) -> u32 {
        crate::concurrency::width(
            &self.session.pacer,
            self.config.max_requests_per_minute,
            self.config.max_concurrency,
        )
    }

    /// Sends `requests` side by side, at most `max` and as many as the rate-limit window has
    /// room for now, and keeps their answers for the `get` of each (which classifies, retries
    /// and parses them as it does every answer). Left out: requests the session answers
    /// without the network (cached, or under a denied resource); all but the first under a
    /// resource not yet known readable (so a denied space is still asked for once); and a lone
    /// request, which the plain `get` sends, paced as always. Returns how many were sent.
    pub fn prefetch(&mut self, requests: &[Request], max: usize) -> usize {
        let config = self.config;
        let token = config.api_token.as_deref().unwrap_or_default();
        let now = self.transport.now_ms();
        let mut urls: Vec<String> = Vec::new();
        let mut untried = std::collections::HashSet::new();
        for r in requests {
            if self
                .session
                .denials
                .covers(token, &config.base_url, &r.path, now)
                || self.is_cached(&r.path, &r.query)
            {
                continue;
            }
            // Under a resource not yet known readable, one request per batch: if it is denied,
            // the others are never sent (the denial covers them), as in a serial read.
            let resource = denials::resource(&r.path);
            if !self.session.readable.contains(resource) && !untried.insert(resource.to_owned()) {
                continue;
            }
            let url = format!("{}{}", config.base_url, path_with_query(&r.path, &r.query));
            if !self.prefetched.contains_key(&url) && !urls.contains(&url) {
                urls.push(url);
            }
        }
        let room = self
            .session
            .pacer
            .allowance(now, config.max_requests_per_minute) as usize;
        urls.truncate(room.min(max));
        if urls.len() < 2 {
            return 0;
        }
        for _ in &urls {
            self.stats.requests += 1;
            self.session.pacer.on_sent(now);
        }
        let answers = self.transport.get_many(&urls, config.api_token.as_deref());
        let elapsed = (self.transport.now_ms() - now).max(0) as u64;
        self.session.pacer.on_latency(elapsed);
        let sent = urls.len();
        for (url, answer) in urls.into_iter().zip(answers) {
            if let Ok(response) = &answer {
                self.session.pacer.on_response(response);
            }
            self.prefetched.insert(url, answer);
        }
        sent
    }

    /// Answers sent ahead that no `get` took yet.
    pub fn prefetched(&self) -> usize {
        self.prefetched.len()
    }

    /// Notes that list `list` of Workspace `ws` holds `tasks` tasks (its `task_count`), and
    /// whether it is live.
    pub fn note_list(&mut self, ws: &str, list: &str, live: bool, tasks: u64) {
        if self.session.list_tasks.len() < 100_000 {
            let key = self.list_key(list);
            self.session
                .list_tasks
                .insert(key, (ws.to_owned(), live, tasks));
        }
    }

    /// The tasks the live lists of Workspace `ws` hold, as far as this instance has seen them;
    /// `None` before any was seen.
    pub fn live_tasks(&self, ws: &str) -> Option<u64> {
        let token = self.config.api_token.as_deref().unwrap_or_default();
        let base = self.config.base_url.as_str();
        let mut seen = None;
        for ((t, b, _), (w, live, tasks)) in &self.session.list_tasks {
            if *live && w == ws && t == token && b == base {
                *seen.get_or_insert(0) += tasks;
            }
        }
        seen
    }

    /// The `task_count` of list `list`, if this instance has seen it.
    pub fn list_tasks(&self, list: &str) -> Option<u64> {
        self.session
            .list_tasks
            .get(&self.list_key(list))
            .map(|(_, _, tasks)| *tasks)
    }

    fn list_key(&self, list: &str) -> (String, String, String) {
        (
            self.config.api_token.clone().unwrap_or_default(),
            self.config.base_url.clone(),
            list.to_owned(),
        )
    }

    /// Whether the answer of `request` was sent ahead and waits to be taken.
    pub fn has_answer(&self, request: &Request) -> bool {
        let url = format!(
            "{}{}",
            self.config.base_url,
            path_with_query(&request.path, &request.query)
        );
        self.prefetched.contains_key(&url)
    }

    /// Whether `request` is answered without the network now: its answer was sent ahead, or is
    /// in the session cache, or it lies under a resource denied earlier (skipped).
    pub fn answers_now(&self, request: &Request) -> bool {
        let token = self.config.api_token.as_deref().unwrap_or_default();
        let now = self.transport.now_ms();
        self.has_answer(request)
            || self.is_cached(&request.path, &request.query)
            || self
                .session
                .denials
                .covers(token, &self.config.base_url, &request.path, now)
    }
}
