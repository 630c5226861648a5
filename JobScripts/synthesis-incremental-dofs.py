#!/usr/bin/env python3
"""The DOFS of a synthesis inversion two ways (Docs/assimilation.md,
"Information content"): the batch tr(K H) (summary.json's `dofs`) and the
incremental sum an hourly ensemble smoother's observation-space estimate
converges to, Σ_t Σ_{o in hour t} var(H_o x | observations up to hour t) / R_o.

    python3 JobScripts/synthesis-incremental-dofs.py SYNTHESIS_DIR

SYNTHESIS_DIR holds jacobian.nc and posterior_covariance.nc of an
`rcas synthesis` run (the reference settings: B and R as configured). Dense
numpy: for a few thousand basis functions and observations.
"""
import sys

import netCDF4
import numpy as np


def main(folder):
    paths = {name: f"{folder}/{name}.nc" for name in ("jacobian", "posterior_covariance")}
    try:
        jacobian, covariance = (netCDF4.Dataset(p) for p in paths.values())
    except OSError as error:
        sys.exit(f"cannot open {error.filename}: {error.strerror}")
    for dataset in (jacobian, covariance):
        dataset.set_auto_mask(False)
    for name in ("jacobian", "error", "obs_hour", "set"):
        if name not in jacobian.variables:
            sys.exit(f"{paths['jacobian']}: variable '{name}' missing")
    if "prior_covariance" not in covariance.variables:
        sys.exit(f"{paths['posterior_covariance']}: variable 'prior_covariance' missing")
    used = np.where(np.asarray(jacobian["set"][:]) == 0)[0]  # assimilation candidates (no OMB gate applied here)
    h = np.asarray(jacobian["jacobian"][:], dtype=float)[used]
    error = np.asarray(jacobian["error"][:], dtype=float)[used]
    hour = np.asarray(jacobian["obs_hour"][:], dtype=np.int64)[used]
    b = np.asarray(covariance["prior_covariance"][:], dtype=float)
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(b)) and np.all(error > 0)):
        sys.exit(f"{folder}: non-finite Jacobian or covariance, or a non-positive observation error")
    r = error ** 2
    hbh = h @ b @ h.T
    s = hbh + np.diag(r)
    batch = np.trace(np.linalg.solve(s, hbh))
    incremental = 0.0
    for t in np.unique(hour):
        upto, now = np.where(hour <= t)[0], np.where(hour == t)[0]
        cross = hbh[np.ix_(now, upto)]
        variance = np.diag(hbh[np.ix_(now, now)]) - np.einsum("ij,ji->i", cross, np.linalg.solve(s[np.ix_(upto, upto)], cross.T))
        incremental += np.sum(variance / r[now])
    print(f"observations {len(used)}  batch DOFS tr(KH) {batch:.4f}  incremental (hour by hour) {incremental:.4f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
