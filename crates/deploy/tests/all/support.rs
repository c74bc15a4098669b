//! A repository `acme/widgets` with tagged versions, the deploy workflow on `main`, and the
//! `deploy` binary pointed at the fake.

use assert_cmd::Command;
use fake_github::FakeGitHub;
use std::path::PathBuf;
use testkit::Run;
use tidegate_github::{GitHub, RepoId, RetryPolicy, Token};

pub const OWNER: &str = "acme";
pub const NAME: &str = "widgets";

/// The deploy workflow skeleton of examples/deploy.yml: its inputs are what `deploy` sends.
pub const DEPLOY_YML: &str = include_str!("../../../../examples/deploy.yml");

pub struct World {
    pub fake: FakeGitHub,
    pub origin: PathBuf,
    pub home: tempfile::TempDir,
}

impl World {
    /// Tags v1.3.0, v1.4.0-rc.1 and v1.4.0 on successive commits; deploy.yml on `main`.
    pub fn new() -> Self {
        let fake = FakeGitHub::start();
        let origin = fake.create_repo(OWNER, NAME);
        let world = Self {
            fake,
            origin,
            home: tempfile::tempdir().expect("temp dir"),
        };
        for (n, tag) in ["v1.3.0", "v1.4.0-rc.1", "v1.4.0"].iter().enumerate() {
            let sha = world.fake.commit_file(
                OWNER,
                NAME,
                "main",
                "VERSION",
                tag,
                &format!("chore: release {tag} ({n})"),
            );
            world.tag(tag, &sha);
        }
        world
            .fake
            .add_workflow_file(OWNER, NAME, "deploy.yml", DEPLOY_YML);
        world
    }

    pub fn tag(&self, tag: &str, sha: &str) {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.origin)
            .args(["tag", tag, sha])
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("deploy").expect("the binary");
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
            .env("GITHUB_TOKEN", self.fake.token())
            .env("GITHUB_ACTOR", "ada")
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(&mut self.command(args))
    }

    /// Reports the status of deployment `id` as the deploy workflow's last step does.
    pub fn report(&self, env: &str, id: u64, state: &str) {
        let id = id.to_string();
        self.run(&[
            "--env",
            env,
            "--status",
            state,
            "--deployment-id",
            &id,
            "--log-url",
            "https://ci.example/run/1",
        ])
        .ok();
    }

    /// Publishes the release of `tag` with `assets` (name, bytes), through the client.
    pub fn release(&self, tag: &str, assets: &[(&str, &[u8])]) {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let gh = GitHub::new(
                &self.fake.api_url(),
                Token::new("test", &self.fake.token()).expect("token"),
                RepoId::parse(&format!("{OWNER}/{NAME}")).expect("repo"),
                RetryPolicy::default(),
            )
            .expect("client");
            let (release, _) = gh
                .create_release(&tidegate_github::releases::NewRelease {
                    tag,
                    target: "main",
                    name: tag,
                    body: "notes",
                    draft: false,
                    prerelease: false,
                    make_latest: true,
                })
                .await
                .expect("release");
            for (name, bytes) in assets {
                let file = dir.path().join(name);
                std::fs::write(&file, bytes).expect("write");
                gh.upload_asset(&release, name, &file, None)
                    .await
                    .expect("upload");
            }
        });
    }
}
