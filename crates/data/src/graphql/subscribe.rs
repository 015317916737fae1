//! `Subscription` fields: a stream of the stored changes made by the mutations the field's
//! `@aws_subscribe` names, each checked against the subscriber's right to read that item.

use std::sync::{Arc, Mutex};

use async_graphql::dynamic::{
    FieldValue, InputValue, ResolverContext, SubscriptionField, SubscriptionFieldFuture,
};
use async_graphql::parser::types::FieldDefinition;
use async_graphql::{Result, Value as GqlValue};
use futures::StreamExt;
use serde_json::{Map, Value};
use stratus_store::documents::Filter;
use tokio::sync::broadcast;

use super::build::type_ref;
use super::engine::{Engine, Event};
use super::ops::present;
use super::plan::base_name;
use crate::authz::{Caller, Op};
use crate::errors::{denied, typed, unauthorized};
use crate::realtime::hub::Feed;

/// The subscription's feed, created before the subscription is acknowledged (so no event
/// between the acknowledgement and the first poll is lost) and handed from one generation's
/// plan to the next (`realtime::hub`); the field takes it when it starts.
pub struct PendingFeed(pub Mutex<Option<Feed>>);

/// The mutations of a field's `@aws_subscribe(mutations: [...])`.
fn subscribed_mutations(def: &FieldDefinition) -> Vec<String> {
    let mut out = Vec::new();
    for d in &def.directives {
        if d.node.name.node != "aws_subscribe" {
            continue;
        }
        for (name, value) in &d.node.arguments {
            if name.node != "mutations" {
                continue;
            }
            if let GqlValue::List(items) = &value.node {
                for item in items {
                    if let GqlValue::String(s) = item {
                        out.push(s.clone());
                    }
                }
            }
        }
    }
    out
}

/// The executable `Subscription` field of `def`.
pub fn field(def: &FieldDefinition) -> SubscriptionField {
    let name = def.name.node.to_string();
    let model = base_name(&def.ty.node).to_string();
    let mutations = Arc::new(subscribed_mutations(def));
    let field_name = name.clone();
    let mut f = SubscriptionField::new(name, type_ref(&def.ty.node), move |ctx| {
        let field_name = field_name.clone();
        let model = model.clone();
        let mutations = mutations.clone();
        SubscriptionFieldFuture::new(async move { stream(ctx, field_name, model, mutations).await })
    });
    for arg in &def.arguments {
        let mut iv = InputValue::new(arg.node.name.node.as_str(), type_ref(&arg.node.ty.node));
        if let Some(d) = &arg.node.default_value {
            iv = iv.default_value(d.node.clone());
        }
        f = f.argument(iv);
    }
    f
}

async fn stream<'a>(
    ctx: ResolverContext<'a>,
    field: String,
    model: String,
    mutations: Arc<Vec<String>>,
) -> Result<impl futures::Stream<Item = Result<FieldValue<'a>>> + Send + 'a> {
    let engine = ctx.data::<Arc<Engine>>()?.clone();
    let caller = ctx.data::<Caller>()?.clone();
    if !engine.mode_allows(&caller, "Subscription", &field) {
        return Err(unauthorized("Subscription", &field));
    }
    let args: Map<String, Value> = ctx
        .args
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                v.as_value().clone().into_json().unwrap_or(Value::Null),
            )
        })
        .collect();
    if engine.model(&model).is_some() {
        engine
            .authorizer
            .authorize_subscription(&caller, &model, &args)
            .map_err(|d| denied(&d, "Subscription", &field))?;
    } else if let Some(Err(d)) = engine
        .authorizer
        .authorize_custom(&caller, "Subscription", &field)
    {
        // A custom type (custom mutation sources): the subscription's own `@auth` rules.
        return Err(denied(&d, "Subscription", &field));
    }
    // A custom handler runs when the subscription starts; a filter it sets with
    // `extensions.setSubscriptionFilter` replaces the argument filtering below.
    let enhanced = super::js::subscribe(&ctx, &engine, &caller, &field, &args).await?;
    let filter = match args.get("filter") {
        Some(v) if !v.is_null() => {
            Some(Filter::from_input(v).map_err(|e| typed("ValidationError", e.to_string()))?)
        }
        _ => None,
    };
    // Other arguments (owner fields) select events whose field equals them.
    let equal: Vec<(String, Value)> = args
        .into_iter()
        .filter(|(k, v)| k != "filter" && !v.is_null() && v.as_str() != Some(""))
        .collect();
    let pending = ctx
        .data_opt::<PendingFeed>()
        .and_then(|p| p.0.lock().ok().and_then(|mut slot| slot.take()));
    let events = match pending {
        Some(feed) => futures::stream::unfold(feed, |mut feed| async move {
            feed.next().await.map(|ev| (ev, feed))
        })
        .boxed(),
        None => futures::stream::unfold(engine.events.subscribe(), |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(ev) => return Some((ev, rx)),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "a subscriber fell behind");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .boxed(),
    };
    let out = events.filter_map(move |ev| {
        let delivered = deliver(
            &engine,
            &caller,
            &model,
            &mutations,
            filter.as_ref(),
            &equal,
            enhanced.as_ref(),
            &ev,
        );
        async move { delivered.map(|node| Ok(FieldValue::owned_any(node))) }
    });
    Ok(out.boxed())
}

/// The event as this subscriber sees it, or `None` when it is not for them.
#[allow(clippy::too_many_arguments)]
fn deliver(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    mutations: &[String],
    filter: Option<&Filter>,
    equal: &[(String, Value)],
    enhanced: Option<&stratus_appsync_js::SubscriptionFilter>,
    ev: &Event,
) -> Option<super::engine::Node> {
    if ev.model != model || !mutations.contains(&ev.mutation) {
        return None;
    }
    // A model's events are checked against the subscriber's read rights; a custom type's
    // (the result of a custom mutation) are decided by the field's directives alone.
    if engine.model(model).is_some() {
        engine
            .authorizer
            .check_item(caller, model, Op::Listen, &ev.item)
            .ok()?;
    }
    if filter.is_some_and(|f| !f.matches(&ev.item)) {
        return None;
    }
    if let Some(f) = enhanced {
        return f
            .matches(&ev.item)
            .then(|| present(engine, caller, model, ev.item.clone()));
    }
    for (k, v) in equal {
        let stored = ev.item.get(k)?;
        let presented = {
            let mut one = Map::new();
            one.insert(k.clone(), stored.clone());
            engine.authorizer.present_owner_fields(model, &mut one);
            one.remove(k)
        };
        if stored != v && presented.as_ref() != Some(v) {
            return None;
        }
    }
    Some(present(engine, caller, model, ev.item.clone()))
}
