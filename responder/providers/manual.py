"""Providers with no revoke API (or none responder may use here): the exact manual steps.

Each step names the settings page, what to do there, and what to check afterwards. AWS gets the
exact CLI commands, because deactivating a key and querying CloudTrail is faster in a terminal
than in the console. A credential whose provider is unknown, ambiguous or whose value is malformed
also ends up here: it is never sent to any API.

Sources: shared/reference/providers.md §2 (settings URLs, activity sources), §3. Review pages
the reference marks UNCONFIRMED are named by their menu path beside a page that surely exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from responder.providers.base import Identity, Provider, RevokeOutcome, Route, Settings
from responder.providers.review import iso_utc, since

if TYPE_CHECKING:
    from responder.credentials.model import Credential


@dataclass(frozen=True)
class ManualSpec:
    title: str
    revoke: str  # where and how to revoke; may use {org} / {host} from the credential's context
    check: str  # what to look at afterwards
    # The activity review: where the audit or security log is and what to look for; may use
    # {start} (UTC, to the minute) besides the context fields. Empty: `check` is used.
    review: str = ""


SPECS: dict[str, ManualSpec] = {
    "huggingface": ManualSpec(
        "Hugging Face",
        "https://huggingface.co/settings/tokens: find the token with this ending, choose "
        "\"Invalidate and refresh\" (or delete it)",
        "the account's and its organisations' recent commits, new Spaces and new tokens",
        # No audit log API (providers.md §2: "none public"): the token page and the repos.
        "https://huggingface.co/settings/tokens for tokens you do not recognise, and "
        "the commit history of every model, dataset and Space the account or its "
        "organisations own, for commits and new repositories since {start}"),
    "stripe": ManualSpec(
        "Stripe",
        "https://dashboard.stripe.com/apikeys: \"Roll key…\" on this key with expiration "
        "\"now\" (restricted keys are in the same page)",
        "https://dashboard.stripe.com/logs for requests made with the key, and "
        "https://dashboard.stripe.com/events for payouts, refunds and webhook changes",
        "https://dashboard.stripe.com/logs (filter: this API key, from {start}) for every "
        "request it made, and https://dashboard.stripe.com/events from {start} for payouts, "
        "refunds, new webhook endpoints and bank account changes"),
    "notion": ManualSpec(
        "Notion",
        "https://www.notion.so/my-integrations: open the integration and refresh its secret "
        "(or delete the integration); for a public OAuth token, remove the connection in "
        "Settings › Connections",
        "pages the integration can reach, and the workspace audit log (Enterprise: Settings › "
        "Audit log)",
        # The audit log has no stable URL (Enterprise UI): menu path, next to the sure page.
        "the workspace audit log (Enterprise: Settings › Audit log, from {start}) for pages "
        "exported, shared publicly or moved, and the integration's connections at "
        "https://www.notion.so/my-integrations"),
    "linear": ManualSpec(
        "Linear",
        "https://linear.app/settings/api (Settings › Account › Security & access › Personal API "
        "keys): revoke the key with this ending",
        "issues, comments and webhooks created in the window, and the workspace audit log "
        "(Enterprise)",
        # Linear's audit log path is UNCONFIRMED: menu path, beside the API settings page.
        "the workspace audit log (Settings › Administration › Audit log, Enterprise) from "
        "{start}, and https://linear.app/settings/api for webhooks and API keys created since "
        "{start}"),
    "sentry": ManualSpec(
        "Sentry",
        "{host}/settings/account/api/auth-tokens/ (user tokens) or "
        "{host}/settings/<organization>/auth-tokens/ (organization tokens): revoke the token "
        "with this ending",
        "the organization's audit log at {host}/settings/<organization>/audit-log/",
        "{host}/settings/<organization>/audit-log/ from {start}: new members, auth tokens, "
        "integrations and project changes"),
    "supabase": ManualSpec(
        "Supabase",
        "https://supabase.com/dashboard/account/tokens: revoke the access token with this "
        "ending",
        "each project's logs (API, auth and database) and new projects or members",
        # Per-project log URLs are UNCONFIRMED: the dashboard's project list surely exists.
        "each project at https://supabase.com/dashboard/projects › Logs (API, Auth, Postgres) "
        "from {start}, and new projects, members and access tokens since {start}"),
    "figma": ManualSpec(
        "Figma",
        "https://www.figma.com/settings (Security tab › Personal access tokens): revoke the "
        "token; Figma says revocations are instant",
        "the Activity Logs and Developer Logs (Enterprise) for file exports in the window",
        "the organization's Activity log and Developer logs (Admin › Activity log, "
        "Enterprise) from {start}: files exported, shared or opened by the token's user"),
    "postman": ManualSpec(
        "Postman",
        "https://go.postman.co/settings/me/api-keys: delete the API key with this ending",
        "the team's audit logs for exported collections and environments (they may hold more "
        "secrets)",
        # Team audit log URL UNCONFIRMED (providers.md §2): menu path.
        "the team's audit logs (Team Settings › Audit logs) from {start}: exported collections "
        "and environments, new API keys and members"),
    "digitalocean": ManualSpec(
        "DigitalOcean",
        "https://cloud.digitalocean.com/account/api/tokens: delete the token with this ending",
        "droplets, keys and firewall changes in the window (Account › Security history)",
        # The actions API and the security page's URL are UNCONFIRMED: menu path and doctl.
        "Settings › Security (security history and SSH keys) from {start}, and `doctl compute "
        "action list` for droplets, volumes and firewalls created or changed since {start}"),
    "heroku": ManualSpec(
        "Heroku",
        "https://dashboard.heroku.com/account/applications: revoke the authorization (or "
        "regenerate the API key at https://dashboard.heroku.com/account); CLI: `heroku "
        "authorizations` then `heroku authorizations:revoke <id>`",
        "app config vars read, new add-ons, collaborators and releases in the window",
        "`heroku authorizations` (authorizations created since {start}), and for each app "
        "`heroku releases --app <app>` and `heroku access --app <app>`: releases, config var "
        "changes and collaborators since {start}"),
    "discord": ManualSpec(
        "Discord",
        "https://discord.com/developers/applications: open the application › Bot › \"Reset "
        "Token\"",
        "each server's audit log (Server Settings › Audit Log) for the bot's actions",
        "each server's audit log (Server Settings › Audit Log, filtered on the bot) from "
        "{start}: roles, webhooks, invites and members changed by the bot"),
    "brave": ManualSpec(
        "Brave Search",
        "https://api-dashboard.search.brave.com/app/keys: delete the key and create a new one",
        "the key's usage graph for requests you did not make",
        "the key's usage at https://api-dashboard.search.brave.com/app/keys (and the Usage "
        "page) since {start}, for requests you did not make"),
    "azure-devops": ManualSpec(
        "Azure DevOps",
        "https://dev.azure.com/{org}/_usersSettings/tokens: revoke the personal access token "
        "with this ending (an administrator can also revoke it in Organization settings › "
        "Microsoft Entra)",
        "the organization's audit log (Organization settings › Auditing) for repository, "
        "pipeline and permission changes",
        # The Auditing page's URL is UNCONFIRMED (providers.md §2): menu path.
        "the organization's audit log (https://dev.azure.com/{org} › Organization settings › "
        "Auditing) from {start}: repositories, pipelines, service connections, PATs and "
        "permissions changed"),
    "atlassian": ManualSpec(
        "Atlassian",
        "https://id.atlassian.com/manage-profile/security/api-tokens: revoke the API token "
        "(of {user})",
        "the site's audit log ({site}/admin or Atlassian Administration › Insights) for issue, "
        "page and permission changes",
        "https://admin.atlassian.com (Security › Audit log) and {site}/admin from {start}: "
        "issue, page and permission changes, new API tokens and apps by {user}"),
}


class ManualProvider(Provider):
    """The manual steps for one provider (or for an unknown one)."""

    name: ClassVar[str] = "manual"
    title: ClassVar[str] = "manual"

    def __init__(self, provider: str | None, settings: Settings) -> None:
        super().__init__("", settings)
        self.provider = provider

    def route(self, credential: Credential) -> Route:
        return "manual"

    def revoke_one(self, credential: Credential, identity: object) -> RevokeOutcome:
        return self.manual(credential, _why(credential))

    def review_steps(self, identity: Identity | None, credential: Credential,
                     window_start: datetime) -> list[str]:
        names = credential.candidates or (credential.provider,)
        return [step for name in names
                for step in self._review_for(name, identity, credential, window_start)]

    def _review_for(self, provider: str | None, identity: Identity | None,
                    credential: Credential, window_start: datetime) -> list[str]:
        if provider == "aws":
            return aws_review_steps(credential, window_start)
        from responder.providers.registry import ADAPTERS, adapter_class

        if provider in ADAPTERS:
            cls = adapter_class(provider)
            adapter = cls(cls.base_url_for(credential, self.settings), self.settings)
            return adapter.review_steps(identity, credential, window_start)
        spec = SPECS.get(provider or "")
        if spec is None:
            return [f"Review the audit or security log of the service that issued "
                    f"{credential.secret.redacted} from {since(window_start)}: sign-ins, new "
                    "keys or tokens, new members and data exports you did not make."]
        fields = {**_fields(credential), "start": since(window_start)}
        return [f"Review {spec.title} activity since {fields['start']}: "
                f"{(spec.review or spec.check).format(**fields)}."]

    def manual_steps(self, credential: Credential) -> list[str]:
        steps = [*_preamble(credential)]
        if credential.candidates:
            for name in credential.candidates:
                steps += self._steps_for(name, credential)
            return steps
        return steps + self._steps_for(credential.provider, credential)

    def _steps_for(self, provider: str | None, credential: Credential) -> list[str]:
        shown = credential.secret.redacted
        if provider == "aws":
            return aws_steps(credential, self.settings)
        from responder.providers.registry import ADAPTERS, adapter_class

        if provider in ADAPTERS:
            # An API provider whose credential must not be sent (malformed or ambiguous): its
            # own manual steps.
            cls = adapter_class(provider)
            return cls(cls.default_url, self.settings).manual_steps(credential)
        spec = SPECS.get(provider or "")
        if spec is None:
            where = ", ".join(sorted({o.config for o in credential.origins})) or "the config"
            return [f"Revoke {shown} ({credential.kind}, from {where}) wherever it was issued: "
                    f"responder could not tell which provider it belongs to. Then check that "
                    f"service's audit or security log for the window."]
        fields = _fields(credential)
        return [f"Revoke the {spec.title} {credential.kind} {shown} by hand at "
                f"{spec.revoke.format(**fields)}. Then check {spec.check.format(**fields)}."]


def _fields(credential: Credential) -> dict[str, str]:
    """The placeholders a spec may use, from the credential's context."""
    return {"org": credential.setting("azure_org") or "<organization>",
            "host": (credential.setting("sentry_host") or "https://sentry.io").rstrip("/"),
            "user": credential.setting("atlassian_user") or "the account it belongs to",
            "site": (credential.setting("atlassian_url") or "https://<site>.atlassian.net"
                     ).rstrip("/")}


def _preamble(credential: Credential) -> list[str]:
    if credential.candidates:
        return [f"{credential.secret.redacted} fits the format of "
                f"{' and '.join(credential.candidates)}; responder sent it to neither (it would "
                f"leak to the wrong one). Revoke it where it was issued:"]
    if not credential.well_formed:
        return [f"{credential.secret.redacted} looks like a {credential.provider} "
                f"{credential.kind} but does not fit its format, so responder did not send it "
                f"anywhere. If it is a real token, revoke it by hand:"]
    return []


def _why(credential: Credential) -> str:
    if credential.candidates:
        return "format fits several providers: not sent to any"
    if not credential.well_formed:
        return "malformed value: not sent to any provider"
    if credential.provider is None:
        return "provider not recognised"
    return "no revoke API for this provider: manual step"


def aws_steps(credential: Credential, settings: Settings) -> list[str]:
    """Deactivate first (reversible), look at CloudTrail, then delete: the exact commands."""
    key_id = credential.setting("aws_access_key_id")
    start = settings.window_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") \
        if settings.window_start else "<start of the window>"
    region = credential.setting("aws_region") or "<each region you use>"
    if key_id is None:
        return [f"AWS secret access key {credential.secret.redacted}: its access key id was not "
                f"in the same definition. Find it (IAM console › Users › Security credentials, "
                f"or the profile it came from), then deactivate it as below."]
    if key_id.startswith("ASIA"):
        return [f"AWS temporary credentials {key_id} cannot be deactivated. Revoke the role's "
                f"active sessions: IAM console › Roles › the role › \"Revoke active sessions\". "
                f"Then look up what they did: `aws cloudtrail lookup-events --lookup-attributes "
                f"AttributeKey=AccessKeyId,AttributeValue={key_id} --start-time {start} --region "
                f"{region}`."]
    return [
        f"Deactivate AWS access key {key_id} now (reversible), with an administrator profile: "
        f"`aws iam get-access-key-last-used --access-key-id {key_id}` shows its UserName, then "
        f"`aws iam update-access-key --access-key-id {key_id} --status Inactive --user-name "
        f"<UserName>`.",
        f"Look up what it did since the window began (management events, 90 days, one region "
        f"per call): `aws cloudtrail lookup-events --lookup-attributes "
        f"AttributeKey=AccessKeyId,AttributeValue={key_id} --start-time {start} --region "
        f"{region}`.",
        f"Once reviewed, delete it: `aws iam delete-access-key --access-key-id {key_id} "
        f"--user-name <UserName>`, and check for new IAM users, access keys and roles created "
        f"in the window.",
    ]


def _aws_key(credential: Credential) -> tuple[str | None, str]:
    """The access key id as review steps show it, and a note. A key id paired with its secret
    is an identifier and shown whole; a key id found alone is this credential's value, which
    every output redacts, so the steps show its redacted form and say where the whole id is."""
    key_id = credential.setting("aws_access_key_id")
    if key_id is None:
        return None, ""
    if key_id != credential.secret.reveal():
        return key_id, ""
    where = ", ".join(sorted({o.config for o in credential.origins})) or "the config"
    return credential.secret.redacted, (f" ({credential.secret.redacted} is shown redacted: "
                                        f"take the whole key id from {where})")


def aws_review_steps(credential: Credential, window_start: datetime) -> list[str]:
    """CloudTrail for what the key did, then IAM for what it may have left behind: the exact
    commands. `lookup-events` takes one lookup attribute, covers management events of the last
    90 days in one region per call, and pages by itself (50 events a call, 2 calls a second per
    region); IAM is global and its events are recorded in us-east-1."""
    start = iso_utc(window_start)
    shown, note = _aws_key(credential)
    key = shown or "<access key id>"
    region = credential.setting("aws_region")
    query = "--query 'Events[].[EventTime,EventName,EventSource,Username]' --output table"
    if region:
        regions = (f"--region {region}" + ("" if region == "us-east-1" else
                   "; IAM and STS calls are recorded in us-east-1, so run it with --region "
                   "us-east-1 too"))
    else:
        regions = ("--region <region>, once for each region you use (`aws ec2 describe-regions "
                   "--query 'Regions[].RegionName' --output text` lists them) and always for "
                   "us-east-1, where IAM and STS calls are recorded")
    steps = []
    if shown is None:
        steps.append(f"The access key id of AWS secret access key {credential.secret.redacted} "
                     "was not found beside it: find it (IAM console › Users › Security "
                     "credentials, or the profile it came from) and put it in the commands "
                     "below.")
    steps += [
        f"List what the key did since {since(window_start)}: `aws cloudtrail lookup-events "
        f"--lookup-attributes AttributeKey=AccessKeyId,AttributeValue={key} --start-time "
        f"{start} {query}` with {regions}.{note} The CLI follows the pages by itself; with "
        "--max-items N it stops and prints a NextToken to pass as --starting-token. Look for "
        "GetCallerIdentity (the first probe), IAM and STS calls, and anything creating "
        "instances, functions, buckets or snapshots.",
        "Look for persistence created in the window, whoever made it: `for e in CreateUser "
        "CreateAccessKey CreateLoginProfile UpdateLoginProfile AttachUserPolicy PutUserPolicy "
        "AddUserToGroup CreateRole AttachRolePolicy PutRolePolicy UpdateAssumeRolePolicy; do aws "
        f"cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=$e "
        f"--start-time {start} --region us-east-1 {query}; done`.",
        "Check IAM as it is now, with an administrator profile: `aws iam list-users --query "
        "'Users[].[UserName,CreateDate]' --output table` and `aws iam list-roles --query "
        "'Roles[].[RoleName,CreateDate]' --output table` (anything created after "
        f"{since(window_start)}); for the key's user (`aws iam get-access-key-last-used "
        f"--access-key-id {key}` names it) and every new user: `aws iam list-access-keys "
        "--user-name <UserName>`, `aws iam get-login-profile --user-name <UserName>` (a console "
        "password), `aws iam list-attached-user-policies --user-name <UserName>` and `aws iam "
        "list-user-policies --user-name <UserName>`.",
    ]
    return steps
