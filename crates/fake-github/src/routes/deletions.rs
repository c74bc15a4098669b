//! Deletes that concurrent runs use to converge (issue 18): a duplicate comment, and a duplicate
//! deployment, which GitHub deletes only when it is inactive or the repository's only one.

use super::{Rq, repo};
use crate::reply::{Handled, Reply};
use crate::state::State;

pub(crate) fn delete_comment(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("comment_id")?;
    let r = repo(st, rq)?;
    let at = r
        .comments
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| rq.not_found())?;
    r.comments.remove(at);
    r.comment_reactions.retain(|x| x.comment_id != id);
    Ok(Reply::empty(204))
}

pub(crate) fn delete_deployment(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("deployment_id")?;
    let r = repo(st, rq)?;
    let at = r
        .deployments
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| rq.not_found())?;
    let inactive = r.deployments[at]
        .statuses
        .last()
        .is_some_and(|s| s.state == "inactive");
    if !inactive && r.deployments.len() > 1 {
        return Err(Reply::error(
            422,
            "We cannot delete an active deployment unless it is the only deployment in a given environment.",
            rq.docs(),
        ));
    }
    r.deployments.remove(at);
    Ok(Reply::empty(204))
}
