//! `GET /users` with 60 users on the page: the Cognito calls a page costs and the time it takes,
//! against a scripted Cognito that answers every call after a fixed latency (10 ms, a round trip
//! from a Lambda to Cognito in the same region, order of magnitude). Two pools: a few small
//! groups (the members of each fit one page of 60), and one group too large to read within the
//! per-user cost (the fallback). For comparison, the per-user way (one `AdminListGroupsForUser`
//! per user, eight at a time) costs 1 + 60 calls, about 1 + 8 latencies.

use std::{sync::Arc, time::Instant};

use api_types::wire::UserQuery;
use auth_domain::{
    testing::{ScriptedPool, ScriptedReply, caller_token_in},
    user_pool::{AccountUser, PoolUser},
    users::AdminService,
};

const LATENCY: std::time::Duration = std::time::Duration::from_millis(10);
const USERS: usize = 60;
const RUNS: usize = 5;

fn names(list: impl IntoIterator<Item = String>, next: Option<&str>) -> ScriptedReply {
    ScriptedReply::Names(list.into_iter().collect(), next.map(Into::into))
}

/// The live admin check's two answers, the page, then `rest`.
fn script(rest: Vec<ScriptedReply>) -> Vec<ScriptedReply> {
    let admin = AccountUser { username: "admin".into(), ..Default::default() };
    let page: Vec<PoolUser> =
        (0..USERS).map(|i| PoolUser { username: format!("u{i}"), enabled: true, ..Default::default() }).collect();
    let mut replies = vec![
        ScriptedReply::Account(admin),
        ScriptedReply::Groups(vec!["admins".into()]),
        ScriptedReply::Users(page, None),
    ];
    replies.extend(rest);
    replies
}

fn few_small_groups() -> Vec<ScriptedReply> {
    let groups = ["admins", "staff", "support"].map(String::from);
    let mut rest = vec![names(groups.clone(), None)];
    for (g, _) in groups.iter().enumerate() {
        rest.push(names((0..USERS).filter(|i| i % 3 == g).map(|i| format!("u{i}")), None));
    }
    script(rest)
}

fn one_large_group() -> Vec<ScriptedReply> {
    let mut rest = vec![names(["customers".to_string()], None)];
    // Page after page of members: more pages than the per-user way takes rounds (8).
    rest.extend((0..USERS.div_ceil(8)).map(|i| names((0..60).map(|j| format!("c{i}-{j}")), Some("more"))));
    rest.extend((0..USERS).map(|_| ScriptedReply::Groups(vec!["customers".into()])));
    script(rest)
}

/// (Cognito calls, milliseconds) of one `GET /users?limit=60`.
async fn one_page(replies: Vec<ScriptedReply>) -> (usize, f64) {
    let pool = Arc::new(ScriptedPool::new(replies.into_iter().map(Ok)).with_latency(LATENCY));
    let service = AdminService::new(pool.clone(), pool.clone(), "admins");
    let query = UserQuery { limit: Some(USERS.to_string()), ..Default::default() };
    let start = Instant::now();
    let admin = caller_token_in("admin", &["admins"]);
    let list = service.list(&admin, &query).await.expect("a page");
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    assert_eq!(list.users.len(), USERS);
    (pool.calls().len(), elapsed)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_time().build().expect("a runtime");
    println!("GET /users?limit={USERS}, Cognito answering after {} ms, median of {RUNS}:", LATENCY.as_millis());
    for (name, replies) in
        [("a few small groups", few_small_groups as fn() -> _), ("one large group (fallback)", one_large_group)]
    {
        let runs: Vec<(usize, f64)> = (0..RUNS).map(|_| rt.block_on(one_page(replies()))).collect();
        let calls = runs[0].0;
        println!(
            "  {name:<28} {calls:>3} Cognito calls (2 of them the live admin check)  {:>6.1} ms",
            median(runs.iter().map(|r| r.1).collect())
        );
    }
    println!(
        "  per user (before)             {:>3} Cognito calls, about {} ms",
        2 + 1 + USERS,
        (2 + 1 + USERS.div_ceil(8)) * 10
    );
}
