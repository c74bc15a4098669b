//! A fake with one repository, `acme/widgets`: `main` two commits ahead of `stable`.

use fake_github::FakeGitHub;

use crate::client::Client;

pub const OWNER: &str = "acme";
pub const REPO: &str = "widgets";

pub struct Fx {
    pub fake: FakeGitHub,
    pub c: Client,
    /// `stable`'s tip, also `main`'s first commit.
    pub first: String,
    /// `main`'s tip.
    pub main: String,
}

impl Fx {
    pub fn new() -> Fx {
        let fake = FakeGitHub::start();
        fake.create_repo(OWNER, REPO);
        let first = fake.commit_file(
            OWNER,
            REPO,
            "main",
            "README.md",
            "# Widgets\n",
            "chore: start",
        );
        fake.create_branch(OWNER, REPO, "stable", &first);
        fake.commit_file(OWNER, REPO, "main", "src/a.txt", "a\n", "feat: add a");
        let main = fake.commit_file(OWNER, REPO, "main", "src/b.txt", "b\n", "fix: add b");
        let c = Client::new(&fake);
        Fx {
            fake,
            c,
            first,
            main,
        }
    }

    /// `/repos/acme/widgets` + `rest`.
    pub fn p(&self, rest: &str) -> String {
        format!("/repos/{OWNER}/{REPO}{rest}")
    }

    /// Opens the promotion PR `main` → `stable` and returns its number.
    pub fn open_promotion(&self) -> u64 {
        let r = self.c.post(
            &self.p("/pulls"),
            serde_json::json!({ "title": "Promote main to stable", "head": "main", "base": "stable", "body": "promotes" }),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["number"].as_u64().expect("a PR number")
    }

    /// The contract violations must be none.
    pub fn assert_no_violations(&self) {
        assert_eq!(self.fake.contract_violations(), Vec::<String>::new());
    }
}
