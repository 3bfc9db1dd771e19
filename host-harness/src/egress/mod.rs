//! The connector's only door to the network: the `wasi:http` hooks of a run.
//!
//! Map: [`policy`] is what the embedder decides ([`EgressPolicy`]: allowed authorities, credential
//! injection, request cap, the shared limiter, [`HostAllowList`] for URLs someone else chose) and
//! the counters it reads back; [`hooks`] enforces it on every request, refusing hosts that resolve
//! to non-public addresses ([`address`]) unless the operator allowed them explicitly; [`token_limiter`] keeps one budget per token across runs.
//!
//! Every request the sandboxed connector sends passes [`Egress::send_request`], which
//! - refuses hosts outside the allow-list (the guest sees `HttpRequestDenied`, and the run's
//!   [`RequestCounter`] records it),
//! - refuses a host whose DNS answer holds a loopback, private, link-local or metadata address,
//!   unless the policy's `private_allowed` names it (checked at send time; a resolver that
//!   answers differently a moment later is out of scope: see SECURITY.md),
//! - refuses requests past the run's request cap,
//! - in credential-injection mode adds `Authorization` itself, while the guest may not set that
//!   header at all: the token never enters the sandbox,
//! - waits for the token's shared [`TokenLimiter`], and teaches it from the answer's
//!   `X-RateLimit-*` headers,
//! - gives every request timeouts, so a hung server cannot hang a run,
//! - counts requests, denials and 429s.

pub mod address;
pub mod hooks;
pub mod policy;
pub mod token_limiter;

pub use hooks::Egress;
pub use policy::{
    authority_of, EgressPolicy, HostAllowList, RequestCounter, Responder, BETWEEN_BYTES_TIMEOUT,
    CONNECT_TIMEOUT, FIRST_BYTE_TIMEOUT,
};
pub use token_limiter::{TokenLimiter, TokenLimiters};
