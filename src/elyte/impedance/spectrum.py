"""Impedance spectra: frequency, complex impedance and where they came from.

A :class:`Spectrum` is one frequency sweep. Build it from plain arrays
(:meth:`Spectrum.from_arrays`) or take every sweep out of a
:class:`~elyte.recording.Recording` with :func:`spectra_from_recording`, which reads the
canonical columns ``frequency_hertz``, ``real_impedance_ohm`` and
``imaginary_impedance_ohm`` (Z″ signed as measured: negative for a capacitive response).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from elyte.errors import ImpedanceError

if TYPE_CHECKING:
    import polars as pl

    from elyte.recording import Recording

__all__ = ["Spectrum", "spectra_from_recording"]

Array = npt.NDArray[Any]

#: Temperature columns read (in this order of preference) for a spectrum's temperature.
TEMPERATURE_COLUMNS = ("temperature_t1_celsius", "ambient_temperature_celsius")
_ZERO_CELSIUS = 273.15


def _readonly(values: Array) -> Array:
    out = np.array(values, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False, init=False)
class Spectrum:
    """One impedance sweep.

    Parameters
    ----------
    frequency : array_like, Hz
        Frequencies of the points, > 0, in measurement order.
    impedance : array_like of complex, ohm
        ``Z = Z' + jZ″`` with Z″ signed as measured (negative for a capacitive response).
    source : str, optional
        File (or other origin) of the data.
    temperature_kelvin : float, optional
        Cell temperature during the sweep, K, when known.
    sweep : int, optional
        Position of the sweep in its source (0 = first).
    metadata : mapping, optional
        Anything else worth keeping (cycle number, technique index, start time, DC
        potential); plain JSON-compatible values.
    notes : tuple of str
        Everything skipped, derived or assumed on the way, in plain sentences.

    Raises
    ------
    ImpedanceError
        If the arrays are empty, not 1-D, of different lengths, non-finite, or a frequency
        is not positive.

    Examples
    --------
    >>> s = Spectrum.from_arrays([1e3, 1e2], [10.0, 12.0], [-1.0, -3.0], source="demo")
    >>> s.impedance
    array([10.-1.j, 12.-3.j])
    >>> len(s), s.source
    (2, 'demo')
    """

    frequency: Array
    impedance: Array
    source: str | None
    temperature_kelvin: float | None
    sweep: int | None
    metadata: Mapping[str, Any]
    notes: tuple[str, ...]

    def __init__(
        self,
        frequency: npt.ArrayLike,
        impedance: npt.ArrayLike,
        source: str | None = None,
        temperature_kelvin: float | None = None,
        sweep: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        notes: Sequence[str] = (),
    ) -> None:
        for name, value in (
            ("source", source),
            ("temperature_kelvin", temperature_kelvin),
            ("sweep", sweep),
            ("metadata", dict(metadata or {})),
            ("notes", tuple(notes)),
        ):
            object.__setattr__(self, name, value)
        where = f" ({self.source})" if self.source else ""
        try:
            f = np.asarray(frequency, dtype=float)
            z = np.asarray(impedance, dtype=complex)
        except (TypeError, ValueError) as exc:
            raise ImpedanceError(f"spectrum{where}: arrays are not numeric: {exc}") from None
        if f.ndim != 1 or z.ndim != 1:
            raise ImpedanceError(
                f"spectrum{where}: frequency and impedance must be 1-D, got shapes "
                f"{f.shape} and {z.shape}"
            )
        if f.size != z.size:
            raise ImpedanceError(
                f"spectrum{where}: {f.size} frequencies but {z.size} impedance values"
            )
        if f.size == 0:
            raise ImpedanceError(f"spectrum{where} has no points")
        bad = ~np.isfinite(f) | ~np.isfinite(z)
        if bad.any():
            raise ImpedanceError(
                f"spectrum{where}: {int(bad.sum())} non-finite value(s), first at point "
                f"{int(np.argmax(bad))}; drop them before building the spectrum"
            )
        if (f <= 0).any():
            raise ImpedanceError(
                f"spectrum{where}: frequency must be > 0 Hz; point {int(np.argmax(f <= 0))} "
                f"has {f[f <= 0][0]} Hz"
            )
        if self.temperature_kelvin is not None and not (
            np.isfinite(self.temperature_kelvin) and self.temperature_kelvin > 0
        ):
            raise ImpedanceError(
                f"spectrum{where}: temperature_kelvin must be a positive number of kelvin, "
                f"got {self.temperature_kelvin!r}"
            )
        object.__setattr__(self, "frequency", _readonly(f))
        object.__setattr__(self, "impedance", _readonly(z))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        frequency: npt.ArrayLike,
        real: npt.ArrayLike,
        imag: npt.ArrayLike,
        *,
        source: str | None = None,
        temperature_kelvin: float | None = None,
        sweep: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        notes: Sequence[str] = (),
    ) -> Spectrum:
        """Build a spectrum from frequency (Hz), Z' and Z″ (ohm, Z″ signed as measured).

        If your data has -Z″ (as EC-Lab prints it), pass ``imag=-minus_im``.
        """
        re_ = np.asarray(real, dtype=float)
        im_ = np.asarray(imag, dtype=float)
        if re_.shape != im_.shape:
            raise ImpedanceError(
                f"real and imaginary parts have different shapes {re_.shape} and {im_.shape}"
            )
        return cls(
            np.asarray(frequency, dtype=float),
            re_ + 1j * im_,
            source=source,
            temperature_kelvin=temperature_kelvin,
            sweep=sweep,
            metadata=dict(metadata or {}),
            notes=tuple(notes),
        )

    @classmethod
    def from_recording(cls, recording: Recording, *, sweep: int | None = None) -> Spectrum:
        """Return the one sweep of ``recording`` (or sweep number ``sweep``, 0-based).

        Raises
        ------
        ImpedanceError
            If the recording has no impedance data, has several sweeps and ``sweep`` is not
            given, or has no sweep of that number.
        """
        spectra = spectra_from_recording(recording)
        if sweep is None:
            if len(spectra) > 1:
                raise ImpedanceError(
                    f"{recording.meta.source_path or 'recording'} holds {len(spectra)} sweeps; "
                    "pass sweep= or use spectra_from_recording()"
                )
            return spectra[0]
        if not 0 <= sweep < len(spectra):
            raise ImpedanceError(
                f"{recording.meta.source_path or 'recording'} holds {len(spectra)} sweep(s); "
                f"there is no sweep {sweep}"
            )
        return spectra[sweep]

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuild through __init__ so that the arrays are read-only again after unpickling
        return (
            Spectrum,
            (
                self.frequency,
                self.impedance,
                self.source,
                self.temperature_kelvin,
                self.sweep,
                dict(self.metadata),
                self.notes,
            ),
        )

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return int(self.frequency.size)

    def __repr__(self) -> str:
        src = Path(self.source).name if self.source else "<memory>"
        f = self.frequency
        sweep = f", sweep {self.sweep}" if self.sweep is not None else ""
        temp = f", {self.temperature_kelvin:.2f} K" if self.temperature_kelvin else ""
        return (
            f"Spectrum({len(self)} points, {f.max():.4g} Hz to {f.min():.4g} Hz, from "
            f"{src}{sweep}{temp})"
        )

    @property
    def real(self) -> Array:
        """Z', ohm."""
        return self.impedance.real

    @property
    def imag(self) -> Array:
        """Z″, ohm (negative for a capacitive response)."""
        return self.impedance.imag

    @property
    def omega(self) -> Array:
        """Angular frequency 2πf, rad/s."""
        return 2.0 * np.pi * self.frequency

    @property
    def modulus(self) -> Array:
        """|Z|, ohm."""
        return np.abs(self.impedance)

    @property
    def phase_degree(self) -> Array:
        """Phase atan2(Z″, Z'), degrees."""
        return np.degrees(np.angle(self.impedance))

    # ------------------------------------------------------------------ derived spectra
    def _subset(self, keep: Array, note: str) -> Spectrum:
        if not keep.any():
            raise ImpedanceError(f"{note}: no point of {self!r} is left")
        notes = self.notes + ((note,) if not keep.all() else ())
        return replace(
            self, frequency=self.frequency[keep], impedance=self.impedance[keep], notes=notes
        )

    def crop(self, f_min: float | None = None, f_max: float | None = None) -> Spectrum:
        """Points with ``f_min <= f <= f_max`` (Hz); a note records the cropping."""
        keep = np.ones(len(self), bool)
        if f_min is not None:
            keep &= self.frequency >= f_min
        if f_max is not None:
            keep &= self.frequency <= f_max
        dropped = int((~keep).sum())
        return self._subset(
            keep,
            f"cropped to {f_min if f_min is not None else 0:g} Hz <= f <= "
            f"{f_max if f_max is not None else np.inf:g} Hz ({dropped} point(s) dropped)",
        )

    def without_inductive(self) -> Spectrum:
        """Drop the high-frequency points where Z″ > 0 (lead inductance).

        Only the run of inductive points above the highest-frequency capacitive point is
        removed; an isolated positive Z″ further down (noise) is kept.
        """
        order = np.argsort(-self.frequency, kind="stable")
        capacitive = self.imag[order] <= 0
        if not capacitive.any():
            raise ImpedanceError(f"every point of {self!r} is inductive (Z'' > 0)")
        first = int(np.argmax(capacitive))
        keep = np.ones(len(self), bool)
        keep[order[:first]] = False
        return self._subset(keep, f"dropped {first} inductive high-frequency point(s) (Z'' > 0)")

    def sorted(self, *, descending: bool = True) -> Spectrum:
        """Return the same points ordered by frequency (high to low by default)."""
        order = np.argsort(-self.frequency if descending else self.frequency, kind="stable")
        return replace(self, frequency=self.frequency[order], impedance=self.impedance[order])

    def to_frame(self) -> pl.DataFrame:
        """Return the points as a polars frame with the canonical column names."""
        import polars as pl

        return pl.DataFrame(
            {
                "frequency_hertz": self.frequency,
                "real_impedance_ohm": self.real,
                "imaginary_impedance_ohm": self.imag,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (arrays as lists, Z″ signed as measured)."""
        return {
            "source": self.source,
            "sweep": self.sweep,
            "temperature_kelvin": self.temperature_kelvin,
            "metadata": dict(self.metadata),
            "notes": list(self.notes),
            "frequency_hertz": self.frequency.tolist(),
            "real_impedance_ohm": self.real.tolist(),
            "imaginary_impedance_ohm": self.imag.tolist(),
        }


# --------------------------------------------------------------------------- recordings
_REQUIRED = ("frequency_hertz", "real_impedance_ohm", "imaginary_impedance_ohm")


def _column(frame: pl.DataFrame, name: str) -> Array:
    import polars as pl

    return frame.get_column(name).cast(pl.Float64, strict=False).fill_null(np.nan).to_numpy()


def _sweep_starts(
    freq: Array, groups: Sequence[Array], tolerance: float = 1e-9
) -> tuple[Array, str]:
    """Boolean 'a new sweep starts here' over the valid rows, and the sweep direction."""
    n = freq.size
    start = np.zeros(n, bool)
    start[0] = True
    if n == 1:
        return start, "descending"
    for g in groups:
        start[1:] |= g[1:] != g[:-1]
    step = np.diff(np.log(freq))
    same_run = ~start[1:]
    down = int((step[same_run] < -tolerance).sum())
    up = int((step[same_run] > tolerance).sum())
    if down >= up:
        start[1:] |= step > tolerance
        return start, "descending"
    start[1:] |= step < -tolerance
    return start, "ascending"


def spectra_from_recording(
    recording: Recording, *, temperature_kelvin: float | Sequence[float] | None = None
) -> list[Spectrum]:
    """Every impedance sweep of a recording, in file order.

    Rows without a frequency (or with 0 Hz: the other techniques of a multi-technique
    file) separate sweeps and are left out. Within the impedance rows a new sweep starts
    where ``technique_index`` or ``cycle_count`` changes (when the columns exist) and where
    the frequency jumps back against the sweep direction (up for the usual high-to-low
    sweep, down for a low-to-high one; the direction is the one most steps take).

    Parameters
    ----------
    recording : Recording
        With the canonical columns ``frequency_hertz``, ``real_impedance_ohm`` and
        ``imaginary_impedance_ohm``.
    temperature_kelvin : float or sequence of float, optional, K
        Cell temperature of every sweep (one value) or of each sweep. Without it the mean of
        ``temperature_t1_celsius`` (else ``ambient_temperature_celsius``) over the sweep is
        used when the recording has it; otherwise the temperature is unknown (``None``).

    Returns
    -------
    list of Spectrum
        With ``source``, ``sweep`` (0-based) and metadata: ``first_row``/``last_row`` (row
        numbers in the recording), ``cycle_count``, ``technique_index``, ``technique``,
        ``start_time_second`` and ``mean_voltage_volt`` where the columns exist.

    Raises
    ------
    ImpedanceError
        If the recording lacks an impedance column or has no impedance point.
    """
    data = recording.data
    source = recording.meta.source_path
    missing = [c for c in _REQUIRED if c not in data.columns]
    if missing:
        raise ImpedanceError(
            f"the recording has no impedance data: columns {missing} are missing "
            f"(it has {data.columns})",
            path=source,
        )
    freq_all = _column(data, "frequency_hertz")
    re_all = _column(data, "real_impedance_ohm")
    im_all = _column(data, "imaginary_impedance_ohm")
    eis_rows = np.isfinite(freq_all) & (freq_all > 0)
    finite_z = np.isfinite(re_all) & np.isfinite(im_all)
    rows = np.flatnonzero(eis_rows & finite_z)
    n_bad_z = int((eis_rows & ~finite_z).sum())
    if rows.size == 0:
        raise ImpedanceError("the recording has no impedance point (no frequency > 0)", path=source)
    group_cols = [c for c in ("technique_index", "cycle_count") if c in data.columns]
    groups = [_column(data, c)[rows] for c in group_cols]
    # rows of other techniques in between split sweeps; rows dropped for a non-finite Z
    # do not (they are impedance rows)
    groups.append(np.cumsum(~eis_rows)[rows])
    start, direction = _sweep_starts(freq_all[rows], groups)
    bounds = [*np.flatnonzero(start).tolist(), rows.size]

    n_sweeps = len(bounds) - 1
    temps: list[float | None]
    temp_note = ""
    if temperature_kelvin is not None:
        given = np.atleast_1d(np.asarray(temperature_kelvin, dtype=float))
        if given.size == 1:
            given = np.repeat(given, n_sweeps)
        if given.size != n_sweeps:
            raise ImpedanceError(
                f"{given.size} temperatures given for {n_sweeps} sweeps", path=source
            )
        temps = [float(t) for t in given]
    else:
        temps = [None] * n_sweeps
        temp_col = next((c for c in TEMPERATURE_COLUMNS if c in data.columns), None)
        if temp_col is not None:
            t_all = _column(data, temp_col)
            for i in range(n_sweeps):
                t = t_all[rows[bounds[i] : bounds[i + 1]]]
                t = t[np.isfinite(t)]
                if t.size:
                    temps[i] = float(t.mean()) + _ZERO_CELSIUS
            temp_note = f"temperature_kelvin is the mean of {temp_col} over the sweep"

    extras: dict[str, Array] = {}
    for name in ("cycle_count", "technique_index", "test_time_second", "voltage_volt"):
        if name in data.columns:
            extras[name] = _column(data, name)
    techniques = data.get_column("technique").to_numpy() if "technique" in data.columns else None

    spectra = []
    base_notes: list[str] = []
    if n_bad_z:
        base_notes.append(
            f"{n_bad_z} impedance row(s) of the recording with non-finite Z' or Z'' were left out"
        )
    if direction == "ascending":
        base_notes.append("frequencies were swept from low to high")
    for i in range(n_sweeps):
        sel = rows[bounds[i] : bounds[i + 1]]
        meta: dict[str, Any] = {"first_row": int(sel[0]), "last_row": int(sel[-1])}
        for name, values in extras.items():
            v = values[sel]
            if name in ("cycle_count", "technique_index"):
                uniq = np.unique(v[np.isfinite(v)])
                if uniq.size == 1:
                    meta[name] = int(uniq[0])
            elif name == "test_time_second" and np.isfinite(v[0]):
                meta["start_time_second"] = float(v[0])
            elif name == "voltage_volt" and np.isfinite(v).any():
                meta["mean_voltage_volt"] = float(np.nanmean(v))
        if techniques is not None and techniques[sel[0]] is not None:
            meta["technique"] = str(techniques[sel[0]])
        notes = list(base_notes)
        if temp_note and temps[i] is not None:
            notes.append(temp_note)
        spectra.append(
            Spectrum(
                freq_all[sel],
                re_all[sel] + 1j * im_all[sel],
                source=source,
                temperature_kelvin=temps[i],
                sweep=i,
                metadata=meta,
                notes=tuple(notes),
            )
        )
    return spectra
