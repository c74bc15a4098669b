//! Web links to a repository on GitHub (or GitHub Enterprise), derived from its remote URL.

use serde::Serialize;

/// Where a repository lives on the web.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Links {
    /// `https://host/owner/repo`
    pub web: String,
    /// `owner/repo`
    pub slug: String,
}

impl Links {
    /// Reads a remote URL: `https://host/owner/repo(.git)`, `git@host:owner/repo.git`,
    /// `ssh://git@host:22/owner/repo.git`. Credentials in the URL are dropped (a checkout made by
    /// `actions/checkout` may carry a token). Local paths give `None`.
    pub fn from_remote(url: &str) -> Option<Self> {
        let url = url.trim();
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest.to_string()),
            None => {
                // scp-like syntax: [user@]host:path, which has no slash before the colon.
                let (host, path) = url.split_once(':')?;
                if host.contains('/') || host.is_empty() || path.starts_with("//") {
                    return None;
                }
                ("ssh".to_string(), format!("{host}/{path}"))
            }
        };
        let web_scheme = match scheme.as_str() {
            "https" | "ssh" | "git" | "git+ssh" | "ssh+git" => "https",
            "http" => "http",
            _ => return None,
        };
        let (authority, path) = rest.split_once('/')?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        // An ssh port is not a web port; an http(s) port is.
        let host = if web_scheme == "https" && scheme != "https" {
            host_port.split(':').next().unwrap_or(host_port)
        } else {
            host_port
        };
        let path = path.trim_end_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if host.is_empty() || segments.len() < 2 {
            return None;
        }
        let slug = segments.join("/");
        Some(Self {
            web: format!("{web_scheme}://{host}/{slug}"),
            slug,
        })
    }

    pub fn compare(&self, from: &str, to: &str) -> String {
        format!("{}/compare/{from}...{to}", self.web)
    }

    pub fn commit(&self, id: &str) -> String {
        format!("{}/commit/{id}", self.web)
    }

    /// release-please links `#N` as an issue; GitHub redirects it to the pull request.
    pub fn issue(&self, number: u64) -> String {
        format!("{}/issues/{number}", self.web)
    }

    /// An issue reference as written in a commit (digits, possibly with leading zeros).
    pub fn issue_ref(&self, digits: &str) -> String {
        format!("{}/issues/{digits}", self.web)
    }

    pub fn pull(&self, number: u64) -> String {
        format!("{}/pull/{number}", self.web)
    }

    /// A user's profile on the same server.
    pub fn profile(&self, login: &str) -> String {
        let server = self.web.strip_suffix(&self.slug).unwrap_or(&self.web);
        format!("{}/{login}", server.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::Links;

    fn web(url: &str) -> Option<String> {
        Links::from_remote(url).map(|l| l.web)
    }

    #[test]
    fn reads_every_remote_spelling() {
        let gh = Some("https://github.com/octo/repo".to_string());
        assert_eq!(web("https://github.com/octo/repo.git"), gh);
        assert_eq!(web("https://github.com/octo/repo"), gh);
        assert_eq!(web("git@github.com:octo/repo.git"), gh);
        assert_eq!(web("ssh://git@github.com:22/octo/repo.git"), gh);
        assert_eq!(
            web("https://x-access-token:ghs_secret@github.com/octo/repo"),
            gh
        );
        assert_eq!(
            web("https://ghe.example.com/team/tool.git"),
            Some("https://ghe.example.com/team/tool".into())
        );
        assert_eq!(
            web("http://127.0.0.1:8080/o/r"),
            Some("http://127.0.0.1:8080/o/r".into())
        );
        assert_eq!(web("/srv/git/repo.git"), None);
        assert_eq!(web("../other"), None);
        assert_eq!(web("file:///srv/repo"), None);
    }

    #[test]
    fn profiles_are_on_the_same_server() {
        let links = Links::from_remote("git@ghe.example:acme/widgets.git").expect("links");
        assert_eq!(links.profile("ada"), "https://ghe.example/ada");
    }
}
