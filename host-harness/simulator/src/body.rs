//! The response body type, which can also break off mid-way.
//!
//! A truncated response must reach the client as such: headers announcing the
//! full `Content-Length`, part of the body, then a closed connection. The body
//! yields its data, then returns `Pending` once (after waking itself) so hyper
//! flushes what it has, then fails, which makes hyper abort the connection.

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

#[derive(Debug)]
pub(crate) struct BodyCut;

impl fmt::Display for BodyCut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response body deliberately cut short")
    }
}

impl std::error::Error for BodyCut {}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    Complete,
    /// Yield once, then fail.
    CutAfterFlush,
    Cut,
}

pub(crate) struct SimBody {
    data: Option<Bytes>,
    declared: u64,
    ending: Ending,
}

impl SimBody {
    pub(crate) fn full(data: Vec<u8>) -> SimBody {
        SimBody {
            declared: data.len() as u64,
            data: Some(Bytes::from(data)),
            ending: Ending::Complete,
        }
    }

    /// Declares the whole length but sends only the first half.
    pub(crate) fn truncated(data: Vec<u8>) -> SimBody {
        let declared = data.len() as u64;
        let half = data.len() / 2;
        let mut data = data;
        data.truncate(half);
        SimBody {
            declared,
            data: Some(Bytes::from(data)),
            ending: Ending::CutAfterFlush,
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = BodyCut;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyCut>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            if !data.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
        }
        match this.ending {
            Ending::Complete => Poll::Ready(None),
            Ending::CutAfterFlush => {
                this.ending = Ending::Cut;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Ending::Cut => Poll::Ready(Some(Err(BodyCut))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.ending == Ending::Complete
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}
