from django.conf import settings


def operator(request):
    """The operator's public facts, for the site's footer, beta notice, privacy page and FAQ."""
    return {
        "operator_name": settings.ANONI_OPERATOR_NAME,
        "operator_contact": settings.ANONI_OPERATOR_CONTACT,
        "data_location": settings.ANONI_DATA_LOCATION,
        "beta_diagnostics": settings.ANONI_BETA_DIAGNOSTICS,
        "diagnostics_retention_days": settings.ANONI_DIAGNOSTICS_RETENTION_DAYS,
        "stats_retention_days": settings.ANONI_STATS_RETENTION_DAYS,
        # Whole minutes, rounded up; 0 when the vault never logs itself out.
        "vault_idle_logout_minutes": -(-settings.ANONI_VAULT_IDLE_LOGOUT // 60),
    }
