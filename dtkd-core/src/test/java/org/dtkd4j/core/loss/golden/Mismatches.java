package org.dtkd4j.core.loss.golden;

import java.util.ArrayList;
import java.util.List;

/** Collects mismatches with the golden READMEs' comparison rules. */
public final class Mismatches {
    private final String label;
    private final Precision p;
    private final boolean anyNonFinite;
    private final boolean finiteWhereReferenceIsNot;
    private final List<String> errors = new ArrayList<>();

    Mismatches(String label, Precision p, boolean anyNonFinite, boolean finiteWhereReferenceIsNot) {
        this.label = label;
        this.p = p;
        this.anyNonFinite = anyNonFinite;
        this.finiteWhereReferenceIsNot = finiteWhereReferenceIsNot;
    }

    public void add(String error) {
        errors.add(error);
    }

    public void value(String what, double got, double ref) {
        if (!matches(got, ref, p.valueAtol() + p.valueRtol() * Math.abs(ref))) {
            add(what + ": got " + got + ", expected " + describe(ref));
        }
    }

    /** A value with its own absolute tolerance (a README exception) besides the relative one. */
    public void value(String what, double got, double ref, double atol) {
        if (!matches(got, ref, atol + p.valueRtol() * Math.abs(ref))) {
            add(what + ": got " + got + ", expected " + describe(ref) + " (atol " + atol + ")");
        }
    }

    public void values(String what, double[] got, double[] ref) {
        if (got.length != ref.length) {
            add(what + ": got " + got.length + " entries, expected " + ref.length);
            return;
        }
        for (int i = 0; i < ref.length; i++) {
            value(what + "[" + i + "]", got[i], ref[i]);
        }
    }

    public void gradient(String what, double[][] got, double[][] ref, boolean[][] noise) {
        if (got.length != ref.length || got[0].length != ref[0].length) {
            add(what + ": got shape [" + got.length + ", " + got[0].length + "], expected [" + ref.length
                    + ", " + ref[0].length + "]");
            return;
        }
        double scale = 0;
        for (double[] row : ref) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
        }
        double tol = p.gradAtol() + p.gradRtol() * scale;
        for (int i = 0; i < ref.length; i++) {
            for (int j = 0; j < ref[i].length; j++) {
                if (noise[i][j]) {
                    if (!Double.isFinite(got[i][j])) {
                        add(what + "[" + i + "][" + j + "]: got " + got[i][j] + ", expected a finite value");
                    }
                } else if (!matches(got[i][j], ref[i][j], tol)) {
                    add(what + "[" + i + "][" + j + "]: got " + got[i][j] + ", expected " + describe(ref[i][j])
                            + " (tolerance " + tol + ")");
                }
            }
        }
    }

    private boolean matches(double got, double ref, double tol) {
        if (!Double.isFinite(ref)) {
            if (finiteWhereReferenceIsNot) {
                return Double.isFinite(got);
            }
            return !Double.isFinite(got) && (anyNonFinite || Double.compare(got, ref) == 0);
        }
        return Math.abs(got - ref) <= tol;
    }

    private String describe(double ref) {
        if (Double.isFinite(ref)) {
            return String.valueOf(ref);
        }
        return finiteWhereReferenceIsNot ? "a finite value (reference: " + ref + ")"
                : anyNonFinite ? "a non-finite value (reference: " + ref + ")" : String.valueOf(ref);
    }

    public void throwIfAny() {
        if (!errors.isEmpty()) {
            int shown = Math.min(errors.size(), 25);
            throw new AssertionError(label + ": " + errors.size() + " mismatches (" + p + "):\n  "
                    + String.join("\n  ", errors.subList(0, shown)));
        }
    }
}
