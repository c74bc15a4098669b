//! Release assets: upload (the body arrives on disk, see `server`), list, read (JSON, or the bytes
//! through a redirect to the storage host), delete. Names are unique per release and renamed as
//! GitHub renames them; a release published while the repository had immutable releases on
//! takes no upload and loses no asset.

use serde_json::{Value, json};

use super::{Rq, paginate, repo};
use crate::json;
use crate::reply::{Handled, Reply};
use crate::state::{AssetState, State, github_asset_name};
use crate::util::{next_id, now_iso};

/// The 422 GitHub answers for any asset change on an immutable release.
fn immutable(rq: &Rq<'_>, what: &str) -> Reply {
    Reply::error(
        422,
        &format!("Cannot {what} an immutable release."),
        rq.docs(),
    )
}

pub(crate) fn upload(st: &mut State, rq: &Rq<'_>) -> Handled {
    let actor = rq.actor.to_string();
    let release_id = rq.number("release_id")?;
    let r = repo(st, rq)?;
    let Some(upload) = rq.upload else {
        return Err(Reply::error(400, "fake-github: no upload body", rq.docs()));
    };
    let name = rq
        .q("name")
        .map(github_asset_name)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Reply::invalid_field("ReleaseAsset", "name", "missing_field", rq.docs()))?;
    let index = r
        .releases
        .iter()
        .position(|rel| rel.id == release_id)
        .ok_or_else(|| rq.not_found())?;
    let rel = &r.releases[index];
    if rel.immutable {
        return Err(immutable(rq, "upload assets to"));
    }
    // A name is taken by any asset, a failed (`open`) upload included: it must be deleted before
    // the name can be uploaded again.
    if rel.assets.iter().any(|a| a.name == name) {
        return Err(Reply::validation(
            vec![json!({ "resource": "ReleaseAsset", "code": "already_exists", "field": "name" })],
            rq.docs(),
        ));
    }
    let asset = AssetState {
        id: next_id(),
        name,
        label: rq.q("label").map(str::to_string),
        content_type: upload
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".to_string()),
        size: upload.size,
        state: "uploaded".to_string(),
        sha256: Some(upload.sha256.clone()),
        uploader: actor,
        created_at: now_iso(),
        file: Some(upload.file.clone()),
    };
    let body = json::asset(rq.urls, r, rel, &asset);
    r.releases[index].assets.push(asset);
    Ok(Reply::json(201, body))
}

pub(crate) fn list(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("release_id")?;
    let r = repo(st, rq)?;
    let rel = r
        .releases
        .iter()
        .find(|rel| rel.id == id)
        .ok_or_else(|| rq.not_found())?;
    let items: Vec<Value> = rel
        .assets
        .iter()
        .map(|a| json::asset(rq.urls, r, rel, a))
        .collect();
    Ok(paginate(rq, items))
}

/// The asset as JSON, or with `Accept: application/octet-stream` a 302 to its bytes on the storage
/// host (which takes no token: the URL is the permission).
pub(crate) fn get(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("asset_id")?;
    let r = repo(st, rq)?;
    let (rel, asset) = r
        .releases
        .iter()
        .find_map(|rel| Some((rel, rel.assets.iter().find(|a| a.id == id)?)))
        .ok_or_else(|| rq.not_found())?;
    if rq.accept.contains("application/octet-stream") {
        if asset.file.is_none() {
            return Err(rq.not_found());
        }
        let location = format!("{}{STORAGE_PREFIX}{id}", rq.urls.storage);
        return Ok(Reply::empty(302).header("location", location));
    }
    Ok(Reply::ok(json::asset(rq.urls, r, rel, asset)))
}

/// Where the storage host serves an asset's bytes: this prefix and the asset id.
pub(crate) const STORAGE_PREFIX: &str = "/_storage/release-assets/";

pub(crate) fn delete(st: &mut State, rq: &Rq<'_>) -> Handled {
    let id = rq.number("asset_id")?;
    let r = repo(st, rq)?;
    let rel = r
        .releases
        .iter_mut()
        .find(|rel| rel.assets.iter().any(|a| a.id == id))
        .ok_or_else(|| rq.not_found())?;
    if rel.immutable {
        return Err(immutable(rq, "delete assets from"));
    }
    if let Some(at) = rel.assets.iter().position(|a| a.id == id) {
        rel.assets.remove(at).remove_file();
    }
    Ok(Reply::empty(204))
}
