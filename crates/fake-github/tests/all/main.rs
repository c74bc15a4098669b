//! The fake's contract tests: every answer is checked against GitHub's OpenAPI description, and
//! GitHub's documented behaviours (422 texts, filters, paging, faults) are pinned down.

mod access;
mod assets;
mod client;
mod errors;
mod faults;
mod gates;
mod gitdata;
mod gitobjects;
mod merges;
mod paging;
mod pulls;
mod releases;
mod routes;
mod schemas;
mod support;
mod workflows;
