"""The ``artkit`` command line. Commands parse options, call the library and print; nothing more."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from artkit.errors import ArtkitError, RunInterrupted


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """User errors print one clean message and exit non-zero; ``--debug`` shows the traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RunInterrupted as exc:
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
        except ArtkitError as exc:
            if debug:
                raise
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            if debug:
                raise
            _fail("interrupted.", 130)
        except BrokenPipeError:  # `artkit presets | head`: the reader left; stop quietly
            _silence_stdout()
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            if debug:
                raise
            _fail(f"unexpected {type(exc).__name__}: {exc}\n  Run again with --debug to see the traceback.", 1)

    return click.option("--debug", is_flag=True, help="Show the full traceback on errors.")(wrapper)


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's exit does not fail flushing into a closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def plugin_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--plugin",
        "plugin_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Load a plugin from a Python file (repeatable). Loading a plugin runs its code.",
    )(command)


def override_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--prompt", "prompts", multiple=True, help="A text prompt (repeatable); replaces the preset's."),
        click.option("--seed", type=int, help="Random seed."),
        click.option("--steps", type=int, help="Number of optimisation steps."),
        click.option("--size", help="Image size as WIDTHxHEIGHT, e.g. 256x256."),
        click.option(
            "--set", "sets", multiple=True, metavar="KEY=VALUE", help="Set any preset key, e.g. losses.0.weight=2."
        ),
        click.option("--no-plugins", is_flag=True, help="Refuse to load plugin files named by the preset."),
    ]
    for option in reversed(options):
        command = option(command)
    return plugin_option(command)


def _overrides(prompts, seed, steps, size, sets, plugin_files, no_plugins):
    from artkit.resolve import Overrides

    return Overrides(list(prompts) or None, seed, steps, size, list(sets), list(plugin_files), not no_plugins)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="artkit")
def cli() -> None:
    """artkit: text-guided generative art by optimisation.

    Start with: artkit run quickstart --prompt "a red circle on the left"
    """


@cli.command()
@click.argument("preset")
@override_options
@click.option(
    "--out", type=click.Path(file_okay=False), default="runs", show_default=True, help="Where run directories go."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@handle_errors
def run(preset, prompts, seed, steps, size, sets, plugin_files, no_plugins, out, quiet) -> None:
    """Run PRESET (a name from `artkit presets`, or a YAML file)."""
    from artkit.api import run_plan
    from artkit.resolve import prepare

    plan, plugins = prepare(preset, _overrides(prompts, seed, steps, size, sets, plugin_files, no_plugins))
    result = run_plan(plan, plugins, Path(out), progress=not quiet)
    click.echo(f"Wrote {result.run_dir / 'final.png'}")


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--steps", type=click.IntRange(min=1), help="Run this many more steps (default: the rest of the run).")
@click.option("--prompt", "prompts", multiple=True, help="Continue towards a new prompt (repeatable).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@plugin_option
@handle_errors
def resume(run_dir, steps, prompts, quiet, plugin_files) -> None:
    """Continue the run in RUN_DIR from its saved state (after Ctrl-C, a crash, or to go further)."""
    from artkit.resuming import resume as resume_run

    result = resume_run(run_dir, steps=steps, prompts=list(prompts) or None, plugins=plugin_files, progress=not quiet)
    click.echo(f"Wrote {result.run_dir / 'final.png'}")


@cli.command()
@click.argument("presets", nargs=-1)
@click.option("--device", default="auto", show_default=True, help="cpu, cuda, cuda:N or auto.")
@click.option(
    "--steps", type=click.IntRange(min=1), default=5, show_default=True, help="Measured steps (after one warm-up)."
)
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Override a preset key (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per benchmark.")
@click.option(
    "--quality",
    is_flag=True,
    help="Time to quality on the toy world: steps and seconds until the judge reads each prompt.",
)
@click.option(
    "--prompts",
    "n_prompts",
    type=click.IntRange(1, 100),
    default=6,
    show_default=True,
    help="With --quality: how many prompts.",
)
@click.option(
    "--max-steps",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="With --quality: give up after this many steps.",
)
@plugin_option
@handle_errors
def bench(presets, device, steps, sets, as_json, quality, n_prompts, max_steps, plugin_files) -> None:
    """Seconds per step, peak memory and the time split of PRESETS; with none, the standard comparison
    (256x256, 32 cuts, ViT-B-32 + VQGAN f16 16384, random weights) against the classic VQGAN+CLIP loop.
    With --quality: time to quality on the toy world (default: every offline quick-start preset)."""
    import json

    from artkit.bench import STANDARD, bench_preset

    if quality:
        from artkit.toyworld.quality import TOY_PRESETS, time_to_quality

        for row in time_to_quality(presets or TOY_PRESETS, n_prompts, max_steps, plugins=list(plugin_files)):
            reached = f"{row['reached']}/{row['prompts']} read within {row['max_steps']} steps"
            detail = f"; median {row['median_steps']} steps, {row['median_seconds']} s" if row["reached"] else ""
            click.echo(json.dumps(row) if as_json else f"{row['preset']}: {reached}{detail}")
            if not as_json:
                click.echo(
                    "  read at some check: " + ", ".join(_attribute_line(k, v) for k, v in row["attributes"].items())
                )
        return

    runs = [(p, False, None) for p in presets] or [(STANDARD, True, "standard")]
    for preset, with_baseline, name in runs:
        result = bench_preset(
            preset,
            device,
            steps,
            overrides=list(sets),
            baseline=with_baseline,
            name=name,
            plugin_files=list(plugin_files),
        )
        if as_json:
            click.echo(json.dumps(result.as_dict()))
            continue
        data = result.as_dict()
        line = f"{data['name']}: {data['artkit_s_per_step']:.3f} s/step on {data['device']}, peak {data['peak_memory_mb']:.0f} MB"
        if result.baseline_s_per_step is not None:
            line += f"; baseline {data['baseline_s_per_step']:.3f} s/step; ratio {data['ratio']:.2f}"
        click.echo(line)
        click.echo(f"  settings: {_bench_settings(data)}")
        click.echo("  split: " + ", ".join(f"{k} {v:.3f}s" for k, v in data["split_s"].items()))


@cli.group()
def models() -> None:
    """The VQGAN model zoo: list, download (once, into the cache) and verify checkpoints."""


@models.command("list")
@handle_errors
def models_list() -> None:
    """Every zoo model, its size, and whether it is in the cache."""
    from artkit.models.cache import cache_dir
    from artkit.models.zoo import ZOO

    click.echo(f"{'toy':<20} {'shipped':>9}  artkit's toy-world VQGAN (f8, 128 codes): offline")
    for model in ZOO.values():
        size = f"{model.size_mb} MB" if model.size_mb else "size ?"
        state = "cached" if (cache_dir() / model.filename).is_file() else size
        click.echo(f"{model.name:<20} {state:>9}  {model.description}")
    click.echo(f"cache: {cache_dir()} (set ARTKIT_CACHE to move it)")


@models.command("download")
@click.argument("names", nargs=-1, required=True)
@handle_errors
def models_download(names) -> None:
    """Download zoo models NAMES into the cache (mirrors in turn), and record their sha256."""
    from artkit.models.loading import download

    for model in _zoo_models(names):
        path, _ = download(model)
        click.echo(f"{model.name}: {path}")


@models.command("verify")
@click.argument("names", nargs=-1)
@handle_errors
def models_verify(names) -> None:
    """Check cached models (all, or NAMES) against their published or recorded sha256."""
    from artkit.models.cache import cache_dir, verify
    from artkit.models.zoo import ZOO

    chosen = _zoo_models(names) if names else list(ZOO.values())
    cached = [m for m in chosen if (cache_dir() / m.filename).is_file()]
    for model in cached:
        digest = verify(cache_dir() / model.filename, model.sha256)
        click.echo(f"{model.name}: ok (sha256 {digest[:16]}...)")
    if not cached:
        click.echo("No zoo model is in the cache yet: artkit models download NAME")


def _zoo_models(names):
    from artkit.errors import unknown_name
    from artkit.models.zoo import ZOO, find

    found = []
    for name in names:
        model = find(name)
        if model is None:
            raise unknown_name("VQGAN model", name, ZOO)
        found.append(model)
    return found


@cli.command()
@plugin_option
@handle_errors
def presets(plugin_files) -> None:
    """List the presets, with their descriptions."""
    from artkit.plugin_manager import load_plugins
    from artkit.presets import available_presets, read_yaml

    found = available_presets(load_plugins(plugin_files).preset_dirs)
    width = max((len(n) for n in found), default=0)
    for name, path in found.items():
        description = str(read_yaml(path).get("description", "")).strip().splitlines()
        click.echo(f"{name:<{width}}  {description[0] if description else ''}")


@cli.command()
@plugin_option
@click.option("--kind", type=click.Choice(["generator", "loss", "augmentation", "perceptor", "output"]))
@handle_errors
def plugins(plugin_files, kind) -> None:
    """List every component by kind, with the plugin that provides it."""
    from artkit.plugin_manager import load_plugins
    from artkit.registry import PLURALS

    registry = load_plugins(plugin_files).registry
    current = None
    for entry in registry.list(kind):
        if entry.kind != current:
            current = entry.kind
            click.echo(f"{PLURALS[entry.kind]}:")
        aliases = f" (aliases: {', '.join(entry.aliases)})" if entry.aliases else ""
        click.echo(f"  {entry.name:<12} {entry.description}{aliases}\n  {'':<12} from {entry.plugin}")


@cli.command()
@click.argument("preset")
@override_options
@handle_errors
def show(preset, prompts, seed, steps, size, sets, plugin_files, no_plugins) -> None:
    """Print the resolved configuration of PRESET (defaults filled in), as YAML."""
    from artkit.resolve import prepare

    plan, _ = prepare(preset, _overrides(prompts, seed, steps, size, sets, plugin_files, no_plugins))
    click.echo(yaml.safe_dump(plan.resolved(), sort_keys=False), nl=False)


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--fps", type=click.IntRange(1, 120), default=12, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["mp4", "gif"]), default="mp4", show_default=True)
@click.option("--scale", type=click.IntRange(1, 16), default=1, show_default=True, help="Upscale frames (nearest).")
@click.option("--sheet", is_flag=True, help="Also write contact_sheet.png, a grid of the snapshots.")
@handle_errors
def video(run_dir, fps, fmt, scale, sheet) -> None:
    """Re-render a video from RUN_DIR's saved snapshots (steps/*.png, then final.png)."""
    from artkit.video import contact_sheet, render_video

    click.echo(f"Wrote {render_video(run_dir, fps, fmt, scale)}")
    if sheet:
        click.echo(f"Wrote {contact_sheet(run_dir)}")


@cli.command(name="eval")
@click.argument("presets", nargs=-1)
@click.option("--prompts", "n_prompts", type=int, default=6, show_default=True, help="How many toy-world prompts.")
@click.option("--budgets", default="25,50,100,200", show_default=True, help="Step budgets, comma-separated.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False), default="runs/eval", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line instead of a table.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Runs side by side, one torch thread each: about 1.3 times as fast on 2 cores; the pictures are "
    "one-thread pictures and the seconds those of runs sharing the CPU.",
)
@plugin_option
@handle_errors
def eval_command(presets, n_prompts, budgets, seed, out, as_json, workers, plugin_files) -> None:
    """Toy-world fidelity: how often an independent judge reads each prompt in the pictures PRESETS
    (default: quickstart) draw, per attribute and step budget, with toyclip's score and time."""
    import json

    from artkit.engine.signals import terminate_as_interrupt
    from artkit.toyworld.evalbench import evaluate

    steps = _budgets(budgets)
    columns = ["preset", "steps", "prompts", "colour", "shape", "position", "background", "all", "toyclip", "seconds"]
    if not as_json:
        click.echo("  ".join(f"{c:>10}" for c in columns))

    def show_row(cell) -> None:
        row = cell.summary()
        text = json.dumps(row) if as_json else "  ".join(f"{_cell(row[c]):>10}" for c in columns)
        click.echo(text)

    with terminate_as_interrupt():  # `kill PID` stops the worker processes too
        evaluate(
            list(presets) or ["quickstart"], steps, n_prompts, Path(out), seed, show_row, list(plugin_files), workers
        )


def _budgets(text: str) -> list[int]:
    try:
        steps = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        steps = []
    if not steps or min(steps) < 1:
        raise ArtkitError(f"--budgets {text!r}: give positive step counts separated by commas, like 25,50,100.")
    return steps


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _bench_settings(data: dict[str, Any]) -> str:
    width, height = data["size"]
    return (f"{width}x{height}, {data['cutn']} cutouts per step, autocast {data['autocast']}, "
            f"compile {data['compile']}, {data['threads']} threads")  # fmt: skip


def _attribute_line(name: str, summary: dict[str, Any]) -> str:
    median = f" (median step {summary['median_steps']:g})" if summary["reached"] else ""
    return f"{name} {summary['reached']}/{summary['prompts']}{median}"


def main() -> None:
    cli(prog_name="artkit")
