//! [`RealtimeHub`]: what realtime subscriptions share across the generations of a sandbox.
//!
//! A hot reload that changes the data or auth definitions opens a new [`DataService`]. The
//! hub outlives them: it owns the one event bus every generation's mutations publish on, and
//! it knows which service is current. When a reload activates a new service, every open
//! subscription's stream ends at its next poll (its event, if one had just arrived, is kept for
//! the successor: [`Feed`]) and the socket plans it again against the new schema and rules
//! (see `realtime::Session::replan`): a subscription whose field no longer exists, or that the
//! new rules refuse, gets an error for its id; the others continue without losing an event.

use std::sync::{Arc, Weak};

use tokio::sync::{Mutex, broadcast, watch};

use crate::graphql::engine::{EVENT_BUFFER, Event};
use crate::service::{DataService, Inner};

/// The service subscriptions are planned against, numbered.
#[derive(Clone)]
pub struct Generation {
    /// +1 on every activation.
    pub epoch: u64,
    service: Option<Weak<Inner>>,
}

impl Generation {
    /// The current service, `None` when the backend no longer defines data (or it is gone).
    pub fn service(&self) -> Option<DataService> {
        self.service
            .as_ref()
            .and_then(Weak::upgrade)
            .map(DataService::from_inner)
    }
}

/// Shared by the data services of one process (the sandbox), or owned by a lone service.
#[derive(Clone)]
pub struct RealtimeHub {
    events: broadcast::Sender<Arc<Event>>,
    current: Arc<watch::Sender<Generation>>,
}

impl std::fmt::Debug for RealtimeHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealtimeHub")
            .field("epoch", &self.epoch())
            .finish_non_exhaustive()
    }
}

impl Default for RealtimeHub {
    fn default() -> Self {
        Self::new()
    }
}

impl RealtimeHub {
    /// A hub with no service activated yet.
    pub fn new() -> RealtimeHub {
        RealtimeHub {
            events: broadcast::channel(EVENT_BUFFER).0,
            current: Arc::new(
                watch::channel(Generation {
                    epoch: 0,
                    service: None,
                })
                .0,
            ),
        }
    }

    /// The bus mutations publish on.
    pub(crate) fn events(&self) -> broadcast::Sender<Arc<Event>> {
        self.events.clone()
    }

    /// Makes `service` the one subscriptions are planned against. Open subscriptions of the
    /// previous service end and are planned again on this one. Activating the service already
    /// current does nothing. Call it before the new generation starts serving mutations.
    pub fn activate(&self, service: &DataService) {
        self.current.send_if_modified(|g| {
            let same = g
                .service
                .as_ref()
                .is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(service.inner())));
            if !same {
                g.epoch += 1;
                g.service = Some(Arc::downgrade(service.inner()));
            }
            !same
        });
    }

    /// The backend no longer defines data: open subscriptions end with an error.
    pub fn deactivate(&self) {
        self.current.send_if_modified(|g| {
            if g.service.is_none() {
                return false;
            }
            g.epoch += 1;
            g.service = None;
            true
        });
    }

    /// The current generation.
    pub fn current(&self) -> Generation {
        self.current.borrow().clone()
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.current.borrow().epoch
    }

    /// Notified on every activation.
    pub fn watch(&self) -> watch::Receiver<Generation> {
        self.current.subscribe()
    }

    /// A feed of every event from now on, for one subscription across its plans.
    pub(crate) fn feed(&self) -> Arc<Mutex<FeedState>> {
        Arc::new(Mutex::new(FeedState {
            rx: self.events.subscribe(),
            pending: None,
            stale_at: None,
        }))
    }
}

/// One subscription's place in the event bus, handed from one plan to the next.
pub struct FeedState {
    pub(crate) rx: broadcast::Receiver<Arc<Event>>,
    /// An event received by a plan that turned out to be stale: the next plan starts with it.
    pub(crate) pending: Option<Arc<Event>>,
    /// The epoch of the last plan that ended because a newer generation was activated.
    pub(crate) stale_at: Option<u64>,
}

/// What a subscription's stream reads from: the feed, valid while the hub's epoch is `epoch`.
pub struct Feed {
    pub(crate) state: Arc<Mutex<FeedState>>,
    pub(crate) epoch: u64,
    pub(crate) generations: watch::Receiver<Generation>,
}

impl Feed {
    pub(crate) fn new(hub: &RealtimeHub, state: Arc<Mutex<FeedState>>, epoch: u64) -> Feed {
        Feed {
            state,
            epoch,
            generations: hub.watch(),
        }
    }

    fn stale(&self) -> bool {
        self.generations.borrow().epoch != self.epoch
    }

    /// The next event for this plan, or `None` once a newer generation is active (then the
    /// event that arrived meanwhile, if any, is left for the next plan).
    pub(crate) async fn next(&mut self) -> Option<Arc<Event>> {
        let state = self.state.clone();
        let mut state = state.lock().await;
        if self.stale() {
            state.stale_at = Some(self.epoch);
            return None;
        }
        if let Some(ev) = state.pending.take() {
            return Some(ev);
        }
        let epoch = self.epoch;
        loop {
            let received = tokio::select! {
                r = state.rx.recv() => Some(r),
                _ = self.generations.wait_for(|g| g.epoch != epoch) => None,
            };
            match received {
                None => {
                    state.stale_at = Some(epoch);
                    return None;
                }
                Some(Ok(ev)) => {
                    if self.stale() {
                        state.pending = Some(ev);
                        state.stale_at = Some(epoch);
                        return None;
                    }
                    return Some(ev);
                }
                Some(Err(broadcast::error::RecvError::Lagged(n))) => {
                    tracing::warn!(skipped = n, "a subscriber fell behind");
                }
                Some(Err(broadcast::error::RecvError::Closed)) => return None,
            }
        }
    }
}
