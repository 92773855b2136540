"""Providers with no revoke API (or none responder may use here): the exact manual steps.

Each step names the settings page, what to do there, and what to check afterwards. AWS gets the
exact CLI commands, because deactivating a key and querying CloudTrail is faster in a terminal
than in the console. A credential whose provider is unknown, ambiguous or whose value is malformed
also ends up here: it is never sent to any API.

Sources: shared/reference/providers.md §2 (settings URLs, activity sources), §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, ClassVar

from responder.providers.base import Provider, RevokeOutcome, Route, Settings

if TYPE_CHECKING:
    from responder.credentials.model import Credential


@dataclass(frozen=True)
class ManualSpec:
    title: str
    revoke: str  # where and how to revoke; may use {org} / {host} from the credential's context
    check: str  # what to look at afterwards


SPECS: dict[str, ManualSpec] = {
    "huggingface": ManualSpec(
        "Hugging Face",
        "https://huggingface.co/settings/tokens: find the token with this ending, choose "
        "\"Invalidate and refresh\" (or delete it)",
        "the account's and its organisations' recent commits, new Spaces and new tokens"),
    "stripe": ManualSpec(
        "Stripe",
        "https://dashboard.stripe.com/apikeys: \"Roll key…\" on this key with expiration "
        "\"now\" (restricted keys are in the same page)",
        "https://dashboard.stripe.com/logs for requests made with the key, and "
        "https://dashboard.stripe.com/events for payouts, refunds and webhook changes"),
    "notion": ManualSpec(
        "Notion",
        "https://www.notion.so/my-integrations: open the integration and refresh its secret "
        "(or delete the integration); for a public OAuth token, remove the connection in "
        "Settings › Connections",
        "pages the integration can reach, and the workspace audit log (Enterprise: Settings › "
        "Audit log)"),
    "linear": ManualSpec(
        "Linear",
        "https://linear.app/settings/api (Settings › Account › Security & access › Personal API "
        "keys): revoke the key with this ending",
        "issues, comments and webhooks created in the window, and the workspace audit log "
        "(Enterprise)"),
    "sentry": ManualSpec(
        "Sentry",
        "{host}/settings/account/api/auth-tokens/ (user tokens) or "
        "{host}/settings/<organization>/auth-tokens/ (organization tokens): revoke the token "
        "with this ending",
        "the organization's audit log at {host}/settings/<organization>/audit-log/"),
    "supabase": ManualSpec(
        "Supabase",
        "https://supabase.com/dashboard/account/tokens: revoke the access token with this "
        "ending",
        "each project's logs (API, auth and database) and new projects or members"),
    "figma": ManualSpec(
        "Figma",
        "https://www.figma.com/settings (Security tab › Personal access tokens): revoke the "
        "token; Figma says revocations are instant",
        "the Activity Logs and Developer Logs (Enterprise) for file exports in the window"),
    "postman": ManualSpec(
        "Postman",
        "https://go.postman.co/settings/me/api-keys: delete the API key with this ending",
        "the team's audit logs for exported collections and environments (they may hold more "
        "secrets)"),
    "digitalocean": ManualSpec(
        "DigitalOcean",
        "https://cloud.digitalocean.com/account/api/tokens: delete the token with this ending",
        "droplets, keys and firewall changes in the window (Account › Security history)"),
    "heroku": ManualSpec(
        "Heroku",
        "https://dashboard.heroku.com/account/applications: revoke the authorization (or "
        "regenerate the API key at https://dashboard.heroku.com/account); CLI: `heroku "
        "authorizations` then `heroku authorizations:revoke <id>`",
        "app config vars read, new add-ons, collaborators and releases in the window"),
    "discord": ManualSpec(
        "Discord",
        "https://discord.com/developers/applications: open the application › Bot › \"Reset "
        "Token\"",
        "each server's audit log (Server Settings › Audit Log) for the bot's actions"),
    "brave": ManualSpec(
        "Brave Search",
        "https://api-dashboard.search.brave.com/app/keys: delete the key and create a new one",
        "the key's usage graph for requests you did not make"),
    "azure-devops": ManualSpec(
        "Azure DevOps",
        "https://dev.azure.com/{org}/_usersSettings/tokens: revoke the personal access token "
        "with this ending (an administrator can also revoke it in Organization settings › "
        "Microsoft Entra)",
        "the organization's audit log (Organization settings › Auditing) for repository, "
        "pipeline and permission changes"),
    "atlassian": ManualSpec(
        "Atlassian",
        "https://id.atlassian.com/manage-profile/security/api-tokens: revoke the API token "
        "(of {user})",
        "the site's audit log ({site}/admin or Atlassian Administration › Insights) for issue, "
        "page and permission changes"),
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
        fields = {"org": credential.setting("azure_org") or "<organization>",
                  "host": (credential.setting("sentry_host") or "https://sentry.io").rstrip("/"),
                  "user": credential.setting("atlassian_user") or "the account it belongs to",
                  "site": (credential.setting("atlassian_url") or "https://<site>.atlassian.net"
                           ).rstrip("/")}
        return [f"Revoke the {spec.title} {credential.kind} {shown} by hand at "
                f"{spec.revoke.format(**fields)}. Then check {spec.check.format(**fields)}."]


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
