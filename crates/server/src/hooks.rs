//! Reading the push events of git servers: GitHub, Gitea and Gogs (`X-GitHub-Event`,
//! `X-Gitea-Event`, `X-Gogs-Event`), GitLab (`X-Gitlab-Event`), Bitbucket (`X-Event-Key`),
//! and a plain `{"branch", "commit", "message"?, "tag"?}` for scripts.
//!
//! Only what a run needs is read: the ref (a branch or a tag), the new head commit and its
//! message. Pings, other events and deleted refs start nothing.

use axum::http::HeaderMap;
use serde_json::Value;
use werk_engine::Push;

/// What a hook call asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// Pushes to run (Bitbucket may send several refs in one event).
    Push(Vec<Push>),
    /// Nothing to run, for this reason.
    Ignored(String),
}

/// Reads a hook call; `default_branch` is the branch a tag's runs report. `Err` says what is
/// wrong with a push event that cannot be read.
pub fn read(headers: &HeaderMap, body: &Value, default_branch: &str) -> Result<Event, String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let github_like = header("x-github-event")
        .or_else(|| header("x-gitea-event"))
        .or_else(|| header("x-gogs-event"));
    if let Some(event) = github_like {
        return match event {
            "push" => github(body, default_branch),
            other => Ok(Event::Ignored(format!("{other} events start nothing"))),
        };
    }
    if let Some(event) = header("x-gitlab-event") {
        return match event {
            "Push Hook" | "Tag Push Hook" => gitlab(body, default_branch),
            other => Ok(Event::Ignored(format!("{other} events start nothing"))),
        };
    }
    if let Some(event) = header("x-event-key") {
        return match event {
            "repo:push" => bitbucket(body, default_branch),
            other => Ok(Event::Ignored(format!("{other} events start nothing"))),
        };
    }
    plain(body, default_branch)
}

/// GitHub's push payload, which Gitea and Gogs share.
fn github(body: &Value, default_branch: &str) -> Result<Event, String> {
    let git_ref = text(body, &["ref"]).ok_or("the push has no ref")?;
    let after = text(body, &["after"]).unwrap_or_default();
    if body["deleted"] == true || is_zero(after) {
        return Ok(Event::Ignored(format!("{git_ref} was deleted")));
    }
    // Gogs sends no head_commit; its commits list the newest first.
    let message = text(body, &["head_commit", "message"])
        .or_else(|| message_of(body, after))
        .map(str::to_owned);
    // For an annotated tag, `after` is the tag object; the head commit is what to build.
    let commit = text(body, &["head_commit", "id"]).unwrap_or(after);
    push(git_ref, commit, message, default_branch)
}

fn gitlab(body: &Value, default_branch: &str) -> Result<Event, String> {
    let git_ref = text(body, &["ref"]).ok_or("the push has no ref")?;
    let head = text(body, &["checkout_sha"])
        .or_else(|| text(body, &["after"]))
        .unwrap_or_default();
    if is_zero(head) {
        return Ok(Event::Ignored(format!("{git_ref} was deleted")));
    }
    let message = message_of(body, head).map(str::to_owned);
    push(git_ref, head, message, default_branch)
}

/// Bitbucket's push, one change per ref pushed; deleted refs start nothing.
fn bitbucket(body: &Value, default_branch: &str) -> Result<Event, String> {
    let changes = body["push"]["changes"]
        .as_array()
        .filter(|c| !c.is_empty())
        .ok_or("the push has no changes")?;
    let mut pushes = Vec::new();
    for change in changes {
        let new = &change["new"];
        if new.is_null() {
            continue;
        }
        let name = text(new, &["name"]).ok_or("the push names no branch or tag")?;
        let git_ref = match text(new, &["type"]) {
            Some("tag") => format!("refs/tags/{name}"),
            _ => format!("refs/heads/{name}"),
        };
        let commit = text(new, &["target", "hash"]).ok_or("the push has no commit")?;
        let message = text(new, &["target", "message"]).map(str::to_owned);
        if let Event::Push(more) = push(&git_ref, commit, message, default_branch)? {
            pushes.extend(more);
        }
    }
    if pushes.is_empty() {
        return Ok(Event::Ignored("the pushed refs were deleted".into()));
    }
    Ok(Event::Push(pushes))
}

/// werk's own: `{"branch": "main", "commit": "<sha>", "message": "...", "tag": "v1"}`.
fn plain(body: &Value, default_branch: &str) -> Result<Event, String> {
    let commit = text(body, &["commit"]).ok_or(
        "not a push event werk knows: send GitHub, Gitea, Gogs, GitLab or Bitbucket push events, or {\"branch\", \"commit\"}",
    )?;
    let message = text(body, &["message"]).map(str::to_owned);
    let git_ref = match (text(body, &["tag"]), text(body, &["branch"])) {
        (Some(tag), _) => format!("refs/tags/{tag}"),
        (None, Some(branch)) => format!("refs/heads/{branch}"),
        (None, None) => format!("refs/heads/{default_branch}"),
    };
    push(&git_ref, commit, message, default_branch)
}

/// A push of `commit` to `git_ref`, checked.
fn push(
    git_ref: &str,
    commit: &str,
    message: Option<String>,
    default_branch: &str,
) -> Result<Event, String> {
    let valid_commit =
        (7..=64).contains(&commit.len()) && commit.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid_commit {
        return Err(format!("{commit:?} is not a commit id"));
    }
    let (branch, tag) = if let Some(tag) = git_ref.strip_prefix("refs/tags/") {
        (default_branch.to_owned(), Some(tag.to_owned()))
    } else if let Some(branch) = git_ref.strip_prefix("refs/heads/") {
        (branch.to_owned(), None)
    } else {
        return Ok(Event::Ignored(format!(
            "{git_ref} is neither a branch nor a tag"
        )));
    };
    if branch.is_empty() || tag.as_deref() == Some("") {
        return Err(format!("{git_ref:?} names no branch or tag"));
    }
    Ok(Event::Push(vec![Push {
        branch,
        tag,
        commit: commit.to_lowercase(),
        message,
    }]))
}

/// The message of the listed commit `id`, if the event lists it.
fn message_of<'a>(body: &'a Value, id: &str) -> Option<&'a str> {
    body["commits"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["message"].as_str())
}

fn text<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHA: &str = "a49e01b9a11f6941d79d4a4bce4214ef90193d02";

    fn headers(name: &'static str, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    fn pushed(branch: &str, tag: Option<&str>, message: Option<&str>) -> Event {
        Event::Push(vec![Push {
            branch: branch.into(),
            tag: tag.map(Into::into),
            commit: SHA.into(),
            message: message.map(Into::into),
        }])
    }

    #[test]
    fn github_gitea_and_gogs() {
        let body =
            json!({"ref": "refs/heads/dev", "after": SHA, "head_commit": {"message": "fix"}});
        for header in ["x-github-event", "x-gitea-event", "x-gogs-event"] {
            assert_eq!(
                read(&headers(header, "push"), &body, "main"),
                Ok(pushed("dev", None, Some("fix")))
            );
        }
        let tag = json!({"ref": "refs/tags/v1.2", "after": "f".repeat(40), "head_commit": {"id": SHA, "message": "b"}});
        assert_eq!(
            read(&headers("x-github-event", "push"), &tag, "main"),
            Ok(pushed("main", Some("v1.2"), Some("b")))
        );
        // Gogs sends no head_commit; its commits come newest first.
        let gogs = json!({"ref": "refs/heads/dev", "after": SHA, "commits": [{"id": SHA, "message": "newest"}, {"id": "0123456", "message": "older [ci skip]"}]});
        assert_eq!(
            read(&headers("x-gogs-event", "push"), &gogs, "main"),
            Ok(pushed("dev", None, Some("newest")))
        );
        let deleted = json!({"ref": "refs/heads/old", "after": "0000000000000000000000000000000000000000", "deleted": true});
        assert!(matches!(
            read(&headers("x-github-event", "push"), &deleted, "main"),
            Ok(Event::Ignored(_))
        ));
        assert!(matches!(
            read(&headers("x-github-event", "ping"), &json!({}), "main"),
            Ok(Event::Ignored(_))
        ));
        assert!(
            read(
                &headers("x-github-event", "push"),
                &json!({"ref": "refs/heads/x", "after": "nope"}),
                "main"
            )
            .is_err()
        );
    }

    #[test]
    fn gitlab_and_bitbucket() {
        let body = json!({"ref": "refs/heads/dev", "checkout_sha": SHA, "commits": [{"id": SHA, "message": "from gitlab"}]});
        assert_eq!(
            read(&headers("x-gitlab-event", "Push Hook"), &body, "main"),
            Ok(pushed("dev", None, Some("from gitlab")))
        );
        let body = json!({"push": {"changes": [{"new": {"type": "branch", "name": "dev", "target": {"hash": SHA, "message": "from bitbucket"}}}]}});
        assert_eq!(
            read(&headers("x-event-key", "repo:push"), &body, "main"),
            Ok(pushed("dev", None, Some("from bitbucket")))
        );
        // `git push origin dev :gone`: the branch runs, the deleted ref does not.
        let two = json!({"push": {"changes": [{"new": {"type": "branch", "name": "dev", "target": {"hash": SHA}}}, {"new": null}]}});
        assert_eq!(
            read(&headers("x-event-key", "repo:push"), &two, "main"),
            Ok(pushed("dev", None, None))
        );
        let gone = json!({"push": {"changes": [{"new": null}]}});
        assert!(matches!(
            read(&headers("x-event-key", "repo:push"), &gone, "main"),
            Ok(Event::Ignored(_))
        ));
    }

    #[test]
    fn plain_pushes_for_scripts() {
        let body = json!({"branch": "dev", "commit": SHA});
        assert_eq!(
            read(&HeaderMap::new(), &body, "main"),
            Ok(pushed("dev", None, None))
        );
        assert_eq!(
            read(&HeaderMap::new(), &json!({"commit": SHA}), "main"),
            Ok(pushed("main", None, None))
        );
        assert!(read(&HeaderMap::new(), &json!({"hello": 1}), "main").is_err());
    }
}
