"""dishka providers of two-factor authentication: the TOTP arithmetic, the challenges, the use cases."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from skillbridge.adapters.security.pyotp_totp import PyotpTotpAlgorithm
from skillbridge.application.accounts.authentication import AdminSecurity
from skillbridge.application.accounts.two_factor_codes import CodeChecker, LoginChallenges, TwoFactorPolicy
from skillbridge.application.accounts.two_factor_login import CompleteTwoFactorLogin
from skillbridge.application.accounts.two_factor_setup import DisableTwoFactor, EnableTwoFactor, SetUpTwoFactor
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.one_time_passwords import TotpAlgorithm
from skillbridge.main.settings import Settings


class TwoFactorProvider(Provider):
    """TOTP with pyotp; codes and challenges checked against the shared store."""

    @provide(scope=Scope.APP)
    def totp(self) -> TotpAlgorithm:
        return PyotpTotpAlgorithm()

    @provide(scope=Scope.APP)
    def admin_security(self, settings: Settings) -> AdminSecurity:
        return AdminSecurity(two_factor_required=settings.admin_two_factor_required)

    @provide(scope=Scope.APP)
    def policy(self) -> TwoFactorPolicy:
        return TwoFactorPolicy()

    @provide(scope=Scope.APP)
    def checker(self, totp: TotpAlgorithm, store: KeyValueStore, policy: TwoFactorPolicy) -> CodeChecker:
        return CodeChecker(totp, store, policy)

    @provide(scope=Scope.APP)
    def challenges(self, store: KeyValueStore, policy: TwoFactorPolicy) -> LoginChallenges:
        return LoginChallenges(store, policy)

    use_cases = provide_all(
        SetUpTwoFactor, EnableTwoFactor, DisableTwoFactor, CompleteTwoFactorLogin, scope=Scope.REQUEST
    )
