#!/usr/bin/env python3
"""The EnKS's per-cell averaging-kernel estimate against the synthesis's exact
diag(K H) (Docs/assimilation.md, "Information content").

    python3 JobScripts/compare-averaging-kernel.py SYNTHESIS_DIR ENKS_DIR [ENKS_DIR ...]

SYNTHESIS_DIR holds averaging_kernel.nc, posterior_covariance.nc and
fluxes.nc of an `rcas synthesis` run of one flux component with one basis
function per cell and hour (cells x hourly); each ENKS_DIR a fluxes.nc
written with `outputs: {ensemble_averaging_kernel: true}` over the same
hours. For every hour and cell the synthesis resolves it prints the sums,
the correlation of the maps and their RMSE, and beside each run the
estimator's limit without sampling noise: the same formula applied to the
exact prior and posterior covariances of each hour (flux space, D B D and
D A D with D = |E^p|), keeping the eigen-directions above 1/N of the
leading variance as the run does.
"""
import sys

import netCDF4
import numpy as np


def open_dataset(path):
    try:
        dataset = netCDF4.Dataset(path)
    except OSError as error:
        sys.exit(f"cannot open {error.filename}: {error.strerror}")
    dataset.set_auto_mask(False)
    return dataset


def members_of(fluxes):
    """The ensemble size from the configuration the run wrote."""
    for line in fluxes.getncattr("rcas_configuration").splitlines():
        if line.strip().startswith("members:"):
            return int(line.split(":")[1])
    sys.exit(f"{fluxes.filepath()}: no 'members' in rcas_configuration")


def exact_hours(synthesis):
    """Per hour: the basis functions of its cells (grid order) and those cells."""
    covariance = open_dataset(f"{synthesis}/posterior_covariance.nc")
    index = covariance["basis_index"][:]
    if index.shape[1] != 1:
        sys.exit(f"{synthesis}: {index.shape[1]} components; this comparison takes one")
    hours = []
    for t in range(index.shape[0]):
        flat = index[t, 0].ravel()
        cells = np.where(flat >= 0)[0]
        hours.append((flat[cells], cells))
    return covariance, hours


def noise_free_limit(covariance, hours, prior_flux, members):
    """diag(P_U - A P_f^+) per hour from the exact B and A, directions above 1/N."""
    a, b = covariance["posterior_covariance"][:], covariance["prior_covariance"][:]
    estimate = []
    for t, (functions, cells) in enumerate(hours):
        d = np.abs(prior_flux[t, cells])
        block = np.ix_(functions, functions)
        prior, posterior = d[:, None] * b[block] * d[None, :], d[:, None] * a[block] * d[None, :]
        values, vectors = np.linalg.eigh(prior)
        kept = values > values.max() / members
        u, variance = vectors[:, kept], values[kept]
        estimate.append((u ** 2).sum(1) - ((posterior @ u) * u / variance).sum(1))
    return np.concatenate(estimate)


def scores(exact, estimate):
    return (f"{estimate.sum():.3f} | {np.corrcoef(exact, estimate)[0, 1]:.3f} | "
            f"{np.sqrt(np.mean((exact - estimate) ** 2)):.4f}")


def main(synthesis, runs):
    kernel = open_dataset(f"{synthesis}/averaging_kernel.nc")
    covariance, hours = exact_hours(synthesis)
    exact = np.concatenate([kernel["averaging_kernel"][:][functions] for functions, _ in hours])
    names = [v for v in open_dataset(f"{synthesis}/fluxes.nc").variables if v.endswith("_prior_mean")]
    prior_flux = open_dataset(f"{synthesis}/fluxes.nc")[names[0]][:].reshape(len(hours), -1)
    print(f"synthesis: dofs {kernel.getncattr('dofs')}, sum of the maps {exact.sum():.3f} over {exact.size} cell-hours")
    print("N | ensemble: sum | correlation | RMSE | limit without sampling noise: sum | correlation | RMSE")
    for run in runs:
        fluxes = open_dataset(f"{run}/fluxes.nc")
        variables = [v for v in fluxes.variables if v.endswith("_ensemble_averaging_kernel")]
        if len(variables) != 1:
            sys.exit(f"{run}/fluxes.nc: {len(variables)} averaging-kernel variables (needs one: "
                     "outputs.ensemble_averaging_kernel on, one flux component)")
        field = fluxes[variables[0]][:].astype(float)
        if field.shape[0] != len(hours):
            sys.exit(f"{run}: {field.shape[0]} records for {len(hours)} synthesis periods (use hourly outputs)")
        field = field.reshape(len(hours), -1)
        estimate = np.concatenate([field[t, cells] for t, (_, cells) in enumerate(hours)])
        members = members_of(fluxes)
        print(f"{members} | {scores(exact, estimate)} | {scores(exact, noise_free_limit(covariance, hours, prior_flux, members))}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
