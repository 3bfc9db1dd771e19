//! Requests sent ahead, side by side, and what bounds them.
//!
//! A `read-page` call sends one batch ([`Fetcher::prefetch`]): the answers wait here until the
//! `get` of each takes them, which then classifies, retries and parses them as it does every
//! answer. What the batch may hold is decided here too: the width ([`crate::concurrency`]), the
//! rate-limit window's room, one request per resource not yet known readable, and the lists'
//! `task_count` ([`Fetcher::note_list`]) that says where a task partition ends.

use super::denials::{self, Asked};
use super::{Fetcher, Request};
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
    /// and parses them as it does every answer). Requests an earlier call started
    /// ([`Fetcher::start_ahead`]) are taken as they are, without being sent again. Left out:
    /// see [`Fetcher::plan`]; and a lone request, which the plain `get` sends, paced as always.
    /// Returns how many were sent or taken.
    pub fn prefetch(&mut self, requests: &[Request], max: usize) -> usize {
        let (taken, fresh) = self.plan(requests, max);
        if taken.is_empty() && fresh.len() < 2 {
            return 0;
        }
        let now = self.transport.now_ms();
        for _ in &fresh {
            self.stats.requests += 1;
            self.session.pacer.on_sent(now);
        }
        let fresh_sent = !fresh.is_empty();
        let urls: Vec<String> = taken.into_iter().chain(fresh).collect();
        let token = self.config.api_token.as_deref();
        let answers = self.transport.get_many(&urls, token);
        // The transport dropped what was started and not asked for again.
        self.session.started.clear();
        // A batch of started requests alone says nothing of the latency: they were in flight
        // before this call began (a batch with fresh ones waits for those, the slowest).
        if fresh_sent {
            let elapsed = (self.transport.now_ms() - now).max(0) as u64;
            self.session.pacer.on_latency(elapsed);
        }
        let sent = urls.len();
        for (url, answer) in urls.into_iter().zip(answers) {
            if let Ok(response) = &answer {
                self.session.pacer.on_response(response);
            }
            self.prefetched.insert(url, answer);
        }
        sent
    }

    /// Starts `requests` (chosen as [`Fetcher::prefetch`] would) without waiting for their
    /// answers, for the next call to take: they are in flight while the host stores this
    /// call's records. Nothing happens on a transport that cannot keep requests open between
    /// calls. Counted as this call's requests.
    pub fn start_ahead(&mut self, requests: &[Request], max: usize) {
        let (_, fresh) = self.plan(requests, max);
        if fresh.len() < 2 {
            return;
        }
        let token = self.config.api_token.clone().unwrap_or_default();
        if !self
            .transport
            .start_many(&fresh, self.config.api_token.as_deref())
        {
            return;
        }
        let now = self.transport.now_ms();
        for url in fresh {
            self.stats.requests += 1;
            self.session.pacer.on_sent(now);
            self.session.started.insert((token.clone(), url));
        }
    }

    /// Whether `request` was started by an earlier call and not taken yet.
    pub fn is_started(&self, request: &Request) -> bool {
        if self.session.started.is_empty() {
            return false;
        }
        let url = self.url(&request.path, &request.query);
        let token = self.config.api_token.clone().unwrap_or_default();
        self.session.started.contains(&(token, url))
    }

    /// Whether `url` was started by an earlier call and not taken yet; takes it if so.
    pub(super) fn take_started(&mut self, url: &str) -> bool {
        let token = self.config.api_token.clone().unwrap_or_default();
        self.session.started.remove(&(token, url.to_owned()))
    }

    /// The URLs a batch of `requests` takes: those started by an earlier call, and fresh ones
    /// (at most `max` in all, and no more than the rate-limit window has room for now). Left
    /// out: requests the session answers without the network (cached, or under a denied
    /// resource), and all but the first under a resource not yet known readable (so a denied
    /// space is still asked for once).
    fn plan(&mut self, requests: &[Request], max: usize) -> (Vec<String>, Vec<String>) {
        let config = self.config;
        let token = config.api_token.as_deref().unwrap_or_default();
        let now = self.transport.now_ms();
        let (mut taken, mut fresh): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let mut untried = std::collections::HashSet::new();
        for r in requests {
            if self.session.denials.covers(
                token,
                &config.base_url,
                &Asked::new(&r.path, &r.query),
                now,
            ) || self.is_cached(&r.path, &r.query)
            {
                continue;
            }
            // Under a resource not yet known readable, one request per batch: if it is denied,
            // the others are never sent (the denial covers them), as in a serial read.
            // Workspace-wide endpoints (`/team/{id}/…`) are exempt: the token was just shown
            // the Workspace by `/team`, and a denial there stands for that endpoint alone.
            let resource = denials::resource(&r.path);
            if !r.path.starts_with("/team/")
                && !self.session.readable.contains(resource)
                && !untried.insert(resource.to_owned())
            {
                continue;
            }
            let url = self.url(&r.path, &r.query);
            if self.prefetched.contains_key(&url) || taken.contains(&url) || fresh.contains(&url) {
                continue;
            }
            if self
                .session
                .started
                .contains(&(token.to_owned(), url.clone()))
            {
                taken.push(url);
            } else {
                fresh.push(url);
            }
        }
        taken.truncate(max);
        let room = self
            .session
            .pacer
            .allowance(now, config.max_requests_per_minute) as usize;
        fresh.truncate(room.min(max - taken.len()));
        (taken, fresh)
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

    /// The body of `request`'s answer when it was sent ahead, came back 200, and waits to be
    /// taken.
    pub fn answered_body(&self, request: &Request) -> Option<&[u8]> {
        match self
            .prefetched
            .get(&self.url(&request.path, &request.query))?
        {
            Ok(answer) if answer.status == 200 => Some(&answer.body),
            _ => None,
        }
    }

    /// Whether the answer of `request` was sent ahead and waits to be taken.
    pub fn has_answer(&self, request: &Request) -> bool {
        self.prefetched
            .contains_key(&self.url(&request.path, &request.query))
    }

    /// Whether `request` is answered without the network now: its answer was sent ahead, or is
    /// in the session cache, or it lies under a resource denied earlier (skipped).
    pub fn answers_now(&self, request: &Request) -> bool {
        let token = self.config.api_token.as_deref().unwrap_or_default();
        let now = self.transport.now_ms();
        self.has_answer(request)
            || self.is_cached(&request.path, &request.query)
            || self.session.denials.covers(
                token,
                &self.config.base_url,
                &Asked::new(&request.path, &request.query),
                now,
            )
    }
}
