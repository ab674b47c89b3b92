"""Plots for the workbook: ``plot_*(result, ax=None, **kwargs) -> Axes``.

Plotting functions take an analysis result and draw on ``ax`` (a new figure
when ``None``) with ``ax.set_*`` only, then return the Axes.  Call
:func:`use_style` once per notebook so Japanese text renders in IPAexGothic.
Nothing here has import-time side effects.

Every ``plot_*`` function can be imported from this package
(``from helpers.plotting import plot_emotion_curve``); its submodule (and the
analysis module behind it, some of which need scipy) is imported only when
the name is first asked for.
"""

from importlib import import_module

from helpers.plotting.style import FONT_NAME, font_path, use_style

#: Public plot function -> the submodule of this package that defines it.
_PLOT_MODULES = {
    "plot_calibration_purchases_vs_holdout_purchases": "clv",
    "plot_p_alive_distribution": "clv",
    "plot_retention_curves": "ltv",
    "plot_ltv_by_segment": "ltv",
    "plot_ltv_waterfall": "ltv",
    "plot_nps_breakdown": "loyalty",
    "plot_nps_trend": "loyalty",
    "plot_nps_by_group": "loyalty",
    "plot_group_values": "loyalty",
    "plot_fan_matrix": "loyalty",
    "plot_role_model_funnel": "role_models",
    "plot_purchase_timelines": "role_models",
    "plot_monthly_tracking": "tracking",
    "plot_swimlane": "touchpoints",
    "plot_order_mix": "touchpoints",
    "plot_survey_responses": "touchpoints",
    "plot_rating_counts": "touchpoints",
    "plot_emotion_curve": "emotion",
    "plot_rating_curve": "emotion",
    "plot_segment_gap": "emotion",
    "plot_expectation_evaluation": "emotion",
    "plot_friction_curve": "friction",
    "plot_rating_effects": "friction",
    "plot_repeat_funnel": "friction",
    "plot_next_purchase_gaps": "friction",
    "plot_stop_hazard": "friction",
    "plot_cohort_retention": "customer_base",
    "plot_cohort_ltv": "customer_base",
    "plot_channel_payback": "customer_base",
    "plot_rf_grid": "customer_base",
    "plot_cpm_summary": "customer_base",
    "plot_deciles": "customer_base",
    "plot_product_paths": "customer_base",
    "plot_sbg_projection": "customer_base",
    "plot_journey_map": "journey_map",
    "plot_key_driver_quadrants": "voice",
    "plot_sentiment_curve": "voice",
}

__all__ = ["FONT_NAME", "font_path", "use_style", *_PLOT_MODULES]


def __getattr__(name: str):
    """Import a plot function's submodule the first time the function is asked for."""
    module = _PLOT_MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
