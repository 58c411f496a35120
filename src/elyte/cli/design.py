"""``elyte design``, ``elyte formulate`` and ``elyte composition``: cell and electrolyte design.

Each function returns the JSON document when ``--json`` is set and otherwise prints text and
returns None (registered through ``_command_returning_json`` in :mod:`elyte.cli`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

__all__ = ["composition", "design", "formulate"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
PngOpt = Annotated[
    Path | None, typer.Option("--png", help="Also write a figure (needs matplotlib).")
]


def _pairs(items: list[str] | None, what: str, *, as_int: bool = False) -> dict[str, Any]:
    """``["EMC=1", "FEC=1"]`` -> ``{"EMC": 1.0, "FEC": 1.0}``."""
    from elyte.design.errors import DesignError

    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise DesignError(f"{what} must be NAME=VALUE, not {item!r}")
        try:
            number: float | int = int(value) if as_int else float(value)
        except ValueError:
            kind = "an integer" if as_int else "a number"
            raise DesignError(f"{what} {item!r}: {value!r} is not {kind}") from None
        if not as_int and not math.isfinite(float(number)):
            raise DesignError(f"{what} {item!r}: not a finite number")
        out[name.strip()] = number
    return out


def _sweep_arg(text: str) -> tuple[str, np.ndarray]:
    """``np_ratio=1:4:13`` (start:stop:num) or ``ec_ratio_g_ah=1,2,3``."""
    from elyte.design.errors import DesignError

    name, sep, spec = text.partition("=")
    if not sep or not name.strip() or not spec.strip():
        raise DesignError(
            f"--sweep must be PARAMETER=START:STOP:NUM or PARAMETER=V1,V2,...: {text!r}"
        )
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) not in (2, 3):
                raise ValueError
            num = int(parts[2]) if len(parts) == 3 else 11
            if not 1 <= num <= 10_000:
                raise DesignError("--sweep: NUM must be 1..10000")
            values = np.linspace(float(parts[0]), float(parts[1]), num)
        else:
            values = np.asarray([float(v) for v in spec.split(",")], dtype=np.float64)
    except ValueError:
        raise DesignError(f"--sweep {text!r}: values must be numbers") from None
    return name.strip(), values


def design(
    manifest: Annotated[Path, typer.Argument(help="Cell manifest (TOML); see examples/cells.")],
    sweep: Annotated[
        list[str] | None,
        typer.Option(
            "--sweep",
            help="What-if: PARAMETER=START:STOP:NUM or PARAMETER=V1,V2,... (repeatable; adds to "
            "the manifest's [[sweep]] tables).",
        ),
    ] = None,
    png: PngOpt = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Mass budget, Wh/kg, Wh/L, N/P, E/C and Li excess of a cell build; scenarios; what-ifs."""
    from elyte.design.manifest import load_cell_manifest
    from elyte.design.whatif import compare
    from elyte.design.whatif import sweep as run_sweep

    m = load_cell_manifest(manifest)
    result = m.design.evaluate()
    table = compare(m.scenarios) if len(m.scenarios) > 1 else None
    requests = list(m.sweeps) + [_sweep_arg(s) for s in sweep or []]
    sweeps = [run_sweep(m.design, name, values) for name, values in requests]
    document: dict[str, Any] = {
        "manifest": str(manifest),
        "result": result.to_dict(),
        "scenarios": table.to_dict() if table is not None else None,
        "sweeps": [s.to_dict() for s in sweeps],
    }
    if png is not None:
        from elyte.design.plots import plot_budget, plot_sweeps
        from elyte.plotting import save_figure

        fig = (
            plot_sweeps(sweeps, reported_wh_kg=m.design.reported.get("wh_kg"))
            if sweeps
            else plot_budget(result)
        )
        document["written"] = {"png": str(save_figure(fig, png, dpi=200))}
    if json_output:
        return document
    parts = [str(result)]
    if table is not None:
        parts.append(str(table))
    parts.extend(str(s) for s in sweeps)
    if "written" in document:
        parts.append(f"wrote {document['written']['png']}")
    typer.echo("\n\n".join(parts))
    return None


def formulate(
    salt: Annotated[
        str | None, typer.Option("--salt", help="Salt: library name, formula or SMILES.")
    ] = None,
    concentration: Annotated[
        float | None, typer.Option("--concentration", "-c", help="Salt concentration (see --unit).")
    ] = None,
    unit: Annotated[
        str,
        typer.Option(
            "--unit",
            help="mol/L (per L of solution; needs --solution-density), mol/L-solvent, mol/kg "
            "or wt%.",
        ),
    ] = "mol/L",
    solvent: Annotated[
        list[str] | None,
        typer.Option("--solvent", help="NAME=SHARE, repeatable (default EMC=1 FEC=1)."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Shares by volume, mass or mole.")] = "volume",
    solution_density: Annotated[
        float | None,
        typer.Option("--solution-density", help="Measured solution density, g/cm³."),
    ] = None,
    density: Annotated[
        list[str] | None,
        typer.Option("--density", help="Solvent density NAME=G_CM3 (overrides the library)."),
    ] = None,
    water_ppm: Annotated[
        float | None, typer.Option("--water-ppm", help="Water content, ppm (µg/g).")
    ] = None,
    box: Annotated[
        list[str] | None,
        typer.Option("--box", help="MD box content NAME=COUNT, repeatable."),
    ] = None,
    box_salt: Annotated[
        int | None,
        typer.Option("--box-salt", help="MD box from the formulation with this many salt units."),
    ] = None,
    box_edge: Annotated[
        float | None, typer.Option("--box-edge", help="Cubic box edge, Å (gives the density).")
    ] = None,
    box_density: Annotated[
        float | None,
        typer.Option("--box-density", help="Box density, g/cm³ (gives the edge)."),
    ] = None,
    stated_atoms: Annotated[
        int | None, typer.Option("--stated-atoms", help="Check: stated number of atoms.")
    ] = None,
    stated_density: Annotated[
        float | None, typer.Option("--stated-density", help="Check: stated density, g/cm³.")
    ] = None,
    stated_edge: Annotated[
        float | None, typer.Option("--stated-edge", help="Check: stated edge, Å.")
    ] = None,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Electrolyte recipe in every concentration convention; water; MD box size and checks."""
    from elyte.design.errors import DesignError
    from elyte.design.formulation import formulate as make
    from elyte.design.formulation import md_box, md_box_for_formulation

    if (salt is None) != (concentration is None):
        raise DesignError("give --salt and --concentration together")
    if salt is None and not box:
        raise DesignError("give --salt and --concentration (a formulation) and/or --box NAME=COUNT")
    if by not in ("volume", "mass", "mole"):
        raise DesignError(f"--by must be volume, mass or mole, not {by!r}")
    document: dict[str, Any] = {}
    texts: list[str] = []
    formulation = None
    if salt is not None and concentration is not None:
        formulation = make(
            salt,
            concentration,
            unit,
            _pairs(solvent, "--solvent") or None,  # type: ignore[arg-type]
            by,  # type: ignore[arg-type]
            solution_density_g_cm3=solution_density,
            densities=_pairs(density, "--density") or None,
            water_ppm=water_ppm,
        )
        document["formulation"] = formulation.to_dict()
        texts.append(str(formulation))
    stated: dict[str, float] = {}
    if stated_atoms is not None:
        stated["n_atoms"] = stated_atoms
    if stated_density is not None:
        stated["density_g_cm3"] = stated_density
    if stated_edge is not None:
        stated["edge_angstrom"] = stated_edge
    result = None
    if box:
        result = md_box(
            _pairs(box, "--box", as_int=True),  # type: ignore[arg-type]
            edge_angstrom=box_edge,
            density_g_cm3=box_density,
            stated=stated or None,
        )
    elif box_salt is not None:
        if formulation is None:
            raise DesignError("--box-salt needs a formulation (--salt and --concentration)")
        result = md_box_for_formulation(formulation, box_salt, density_g_cm3=box_density)
    elif stated:
        raise DesignError("--stated-* checks need an MD box (--box or --box-salt)")
    if result is not None:
        document["md_box"] = result.to_dict()
        texts.append(str(result))
    if json_output:
        return document
    typer.echo("\n\n".join(texts))
    return None


def composition(
    values: Annotated[
        list[str] | None,
        typer.Argument(help="ELEMENT=PERCENT pairs, e.g. C=7.24 O=15.49 F=58.87 Al=18.40."),
    ] = None,
    basis: Annotated[
        str, typer.Option("--from", help="What the values are: wt (weight %) or at (atomic %).")
    ] = "wt",
    formula: Annotated[
        str | None,
        typer.Option("--formula", help="Composition of a formula/library molecule instead."),
    ] = None,
    exclude: Annotated[
        str | None,
        typer.Option("--exclude", help="Elements to leave out of a formula, e.g. Li,H (EDS)."),
    ] = None,
    expect: Annotated[
        list[str] | None,
        typer.Option(
            "--expect", help="Stated ELEMENT=PERCENT to check, in the other basis (repeatable)."
        ),
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Check tolerance, percentage points.")
    ] = 0.02,
    json_output: JsonOpt = False,
) -> dict[str, Any] | None:
    """Weight % <-> atomic % with IUPAC standard atomic weights (EDS, XPS, ICP)."""
    from elyte.design.composition import at_to_wt, formula_composition, wt_to_at
    from elyte.design.errors import DesignError

    if basis not in ("wt", "at"):
        raise DesignError(f"--from must be wt or at, not {basis!r}")
    if (formula is None) == (not values):
        raise DesignError("give ELEMENT=PERCENT values or --formula, not both or neither")
    if formula is not None:
        drop = tuple(e.strip() for e in (exclude or "").split(",") if e.strip())
        comp = formula_composition(formula, exclude=drop)
        check_basis = "at" if basis == "wt" else "wt"
    else:
        given = _pairs(values, "a composition value")
        comp = wt_to_at(given) if basis == "wt" else at_to_wt(given)
        check_basis = "at" if basis == "wt" else "wt"
    if expect:
        comp = comp.compare(_pairs(expect, "--expect"), check_basis, tolerance_pp=tolerance)
    if json_output:
        return comp.to_dict()
    typer.echo(str(comp))
    return None
