"""``list_models``: every registered service's models with what each takes, as JSON and text."""

from __future__ import annotations

from typing import Any

from jimeng_tui.domain.capabilities import ModelCaps, Option
from jimeng_tui.services import registry


def _option(option: Option) -> dict[str, Any]:
    return {
        "name": option.name,
        "label": option.label,
        "type": option.kind.__name__,
        "choices": list(option.choices),
        "default": option.default,
        "required": option.required,
    }


def _model(model: ModelCaps) -> dict[str, Any]:
    return {
        "id": model.id,
        "label": model.label,
        "aliases": list(model.aliases),
        "inputs": sorted(str(kind) for kind in model.inputs),
        "durations": list(model.durations),
        "fps": list(model.fps),
        "aspect_ratios": list(model.ratios),
        "resolutions": list(model.resolutions),
        "max_reference_images": model.max_reference_images,
        "options": [_option(o) for o in model.options],
        "prompt_max_chars": model.prompt_max_chars,
        "retired": model.retired,
    }


def models_facts(default_model: str) -> dict[str, Any]:
    services = [
        {
            "service": caps.service,
            "label": caps.label,
            "models": [_model(m) for m in caps.models],
        }
        for caps in registry.all_capabilities()
    ]
    return {"default_model": default_model, "services": services}


def models_summary(data: dict[str, Any]) -> str:
    lines = [f"Default model: {data['default_model']}"]
    for service in data["services"]:
        lines.append(f"{service['label']} ({service['service']}):")
        for m in service["models"]:
            ratios = ", ".join(m["aspect_ratios"]) or "from the image"
            options = ", ".join(o["name"] for o in m["options"])
            resolutions = ", ".join(m["resolutions"])
            lines.append(
                f"- {m['id']}: {m['label']}; inputs {', '.join(m['inputs'])}; durations "
                f"{', '.join(map(str, m['durations']))} s; fps {', '.join(map(str, m['fps']))}; "
                f"ratio {ratios}"
                + (f"; resolutions {resolutions}" if len(m["resolutions"]) > 1 else "")
                + (f"; options {options}" if options else "")
            )
    return "\n".join(lines)


__all__ = ["models_facts", "models_summary"]
