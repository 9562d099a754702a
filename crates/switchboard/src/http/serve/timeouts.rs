//! The timers of one connection (see the module above): hyper's header timer that lets a
//! kept-alive connection idle before its next request, the socket that notices bytes and a
//! reader that stopped reading, and the request body with a deadline.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// hyper's timer for one connection, used for its header timeout (the only timer an HTTP/1
/// server connection asks for). The first request's header gets the header timeout from
/// the start; later ones wait idle until a byte comes, then get the header timeout.
pub(super) struct ConnTimer {
    /// Set by [`Watched`] whenever bytes arrive.
    got_bytes: Arc<AtomicBool>,
    first: AtomicBool,
    header: Duration,
    idle: Duration,
}

impl hyper::rt::Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeaderWait {
            idle: None,
            sleep: Box::pin(tokio::time::sleep(duration)),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(self.header_wait(deadline))
    }
}

impl ConnTimer {
    pub(super) fn new(got_bytes: Arc<AtomicBool>, header: Duration, idle: Duration) -> Self {
        ConnTimer {
            got_bytes,
            first: AtomicBool::new(true),
            header,
            idle,
        }
    }

    /// The wait for the next request header, which hyper means to end at `deadline`.
    fn header_wait(&self, deadline: Instant) -> HeaderWait {
        if self.first.swap(false, Ordering::Relaxed) {
            return HeaderWait {
                idle: None,
                sleep: Box::pin(tokio::time::sleep_until(deadline.into())),
            };
        }
        self.got_bytes.store(false, Ordering::Relaxed);
        HeaderWait {
            idle: Some((self.got_bytes.clone(), self.header)),
            sleep: Box::pin(tokio::time::sleep(self.idle)),
        }
    }
}

/// The wait for a request header: while `idle` is set, the idle deadline runs until bytes
/// arrive; then the header timeout runs from that moment. hyper polls this after every read
/// that leaves the header incomplete, so the switch happens when the first bytes come. (Part
/// of a pipelined header already read with the previous request counts from the next byte.)
struct HeaderWait {
    idle: Option<(Arc<AtomicBool>, Duration)>,
    sleep: Pin<Box<Sleep>>,
}

impl Future for HeaderWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if let Some((_, header)) = this
            .idle
            .take_if(|(got_bytes, _)| got_bytes.load(Ordering::Relaxed))
        {
            this.sleep
                .as_mut()
                .reset(tokio::time::Instant::now() + header);
        }
        this.sleep.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for HeaderWait {}

/// A connection's socket, noting when bytes arrive (for [`ConnTimer`]) and ending the
/// connection when a write stays blocked for the idle timeout (a client not reading).
pub(super) struct Watched {
    stream: TcpStream,
    got_bytes: Arc<AtomicBool>,
    idle: Duration,
    /// Armed while a write is blocked.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Watched {
    pub(super) fn new(stream: TcpStream, got_bytes: Arc<AtomicBool>, idle: Duration) -> Self {
        Watched {
            stream,
            got_bytes,
            idle,
            stalled: None,
        }
    }

    fn watch_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        write: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if let Poll::Ready(result) = write {
            self.stalled = None;
            return Poll::Ready(result);
        }
        let idle = self.idle;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        ready!(stalled.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client stopped reading the response",
        )))
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.stream).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.got_bytes.store(true, Ordering::Relaxed);
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let write = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch_write(cx, write)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let write = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch_write(cx, write)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A request body that must be complete by its deadline.
pub struct TimedBody {
    body: Incoming,
    deadline: tokio::time::Instant,
    timeout: Duration,
    /// Armed the first time the body is not there yet.
    timer: Option<Pin<Box<Sleep>>>,
}

impl TimedBody {
    pub(super) fn new(body: Incoming, timeout: Duration) -> Self {
        TimedBody {
            body,
            deadline: tokio::time::Instant::now() + timeout,
            timeout,
            timer: None,
        }
    }
}

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(Duration);

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        ready!(timer.as_mut().poll(cx));
        Poll::Ready(Some(Err(Box::new(BodyTimedOut(this.timeout)))))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;

    use super::*;

    /// How far `wait`'s deadline is from now, in whole seconds.
    fn secs_left(wait: &HeaderWait) -> u64 {
        let left = wait.sleep.deadline() - tokio::time::Instant::now();
        (left.as_secs_f64()).round() as u64
    }

    #[tokio::test]
    async fn a_later_request_may_wait_idle_then_its_header_runs_from_its_first_byte() {
        let timer = ConnTimer {
            got_bytes: Arc::new(AtomicBool::new(false)),
            first: AtomicBool::new(true),
            header: Duration::from_secs(10),
            idle: Duration::from_secs(60),
        };
        let hyper_deadline = || Instant::now() + Duration::from_secs(10);
        let first = timer.header_wait(hyper_deadline());
        assert_eq!(secs_left(&first), 10, "the first header: from the start");

        let mut next = pin!(timer.header_wait(hyper_deadline()));
        assert_eq!(secs_left(&next), 60, "idle until a byte comes");
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(next.as_mut().poll(&mut cx).is_pending());
        assert_eq!(secs_left(&next), 60, "no byte yet");
        timer.got_bytes.store(true, Ordering::Relaxed);
        assert!(next.as_mut().poll(&mut cx).is_pending());
        assert_eq!(
            secs_left(&next),
            10,
            "the header timeout from the first byte"
        );
    }
}
