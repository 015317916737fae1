//! Terminal output for humans: `12:03:04 message`, with `error:`/`warning:` prefixes, on
//! stderr. `RUST_LOG` overrides the default filter (`warn,stratus=info`).
//!
//! Lines are written by a thread of their own ([`Background`]): the sandbox logs one line per
//! request from the tokio workers that serve requests, and a write to stderr can block for
//! milliseconds (a file on a busy disk, a terminal that scrolls slowly), which stalled every
//! request on that worker. [`flush`] waits for the queued lines (called before exiting).

use std::fmt;
use std::io::Write;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SendError, SyncSender, sync_channel};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

const DEFAULT_FILTER: &str = "warn,stratus=info";

/// Lines that may wait for the writer thread; past this, loggers wait for room.
const QUEUE: usize = 65_536;

enum Item {
    Line(Vec<u8>),
    Flushed(SyncSender<()>),
}

static QUEUED: OnceLock<SyncSender<Item>> = OnceLock::new();

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Background)
        .with_ansi(false)
        .event_format(Human)
        .try_init();
}

/// Waits until every line logged so far is written to stderr.
pub fn flush() {
    let Some(queue) = QUEUED.get() else { return };
    let (done, flushed) = sync_channel(1);
    if queue.send(Item::Flushed(done)).is_ok() {
        let _ = flushed.recv();
    }
}

/// The queue to the writer thread (started on first use).
fn queue() -> &'static SyncSender<Item> {
    QUEUED.get_or_init(|| {
        let (tx, rx) = sync_channel(QUEUE);
        // If the thread cannot start, `rx` is dropped with its closure and loggers write
        // their lines themselves (see `Background`).
        let _ = std::thread::Builder::new()
            .name("stratus-log".into())
            .spawn(move || write_lines(&rx, std::io::stderr()));
        tx
    })
}

/// Writes the queued lines to `out` until every sender is gone; each run of lines queued
/// together goes out in one write.
fn write_lines<W: Write>(rx: &Receiver<Item>, out: W) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    while let Ok(item) = rx.recv() {
        let mut next = Some(item);
        while let Some(item) = next.take() {
            match item {
                Item::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Item::Flushed(done) => {
                    let _ = out.flush();
                    let _ = done.send(());
                }
            }
            next = rx.try_recv().ok();
        }
        let _ = out.flush();
    }
}

/// The `MakeWriter` of the subscriber: each event (formatted whole, then written once) is
/// queued as one line for the writer thread.
struct Background;

impl Write for Background {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match queue().send(Item::Line(buf.to_vec())) {
            Ok(()) => Ok(buf.len()),
            // No writer thread: write it here.
            Err(SendError(_)) => std::io::stderr().write_all(buf).map(|()| buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Human;

impl<S, N> FormatEvent<S, N> for Human
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write!(writer, "{} ", chrono::Local::now().format("%H:%M:%S"))?;
        match *event.metadata().level() {
            Level::ERROR => write!(writer, "error: ")?,
            Level::WARN => write!(writer, "warning: ")?,
            _ => {}
        }
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` whose bytes the test can read while the writer thread holds it.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn queued_lines_are_written_in_order_and_flush_waits_for_them() {
        let (tx, rx) = sync_channel(QUEUE);
        let out = Shared::default();
        let writer = {
            let out = out.clone();
            std::thread::spawn(move || write_lines(&rx, out))
        };
        for i in 0..1000 {
            tx.send(Item::Line(format!("line {i}\n").into_bytes()))
                .unwrap();
        }
        let (done, flushed) = sync_channel(1);
        tx.send(Item::Flushed(done)).unwrap();
        flushed.recv().unwrap();
        let expected: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            expected
        );
        drop(tx);
        writer.join().unwrap();
    }
}
