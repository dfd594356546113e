package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

import java.util.function.Function;

/**
 * The rows of a batch whose student, or teacher, logits are all equal: the rows where a std of the logits is 0, which
 * logit standardisation and NormKD's temperatures divide by.
 *
 * @param student {@code [N]} whether row {@code i}'s student logits are all equal
 * @param teacher {@code [N]} whether its teacher logits are
 */
record ConstantRows(boolean[] student, boolean[] teacher) {

    /** The two networks whose logits a row holds. */
    enum Side {
        STUDENT("student", "stu"),
        TEACHER("teacher", "tea");

        private final String noun;
        private final String subscript;

        Side(String noun, String subscript) {
            this.noun = noun;
            this.subscript = subscript;
        }

        /** @return the subscript of the side's temperature, {@code "stu"} or {@code "tea"} */
        String subscript() {
            return subscript;
        }

        @Override
        public String toString() {
            return noun;
        }
    }

    /**
     * @param s           student logits {@code [N][C]}
     * @param t           teacher logits {@code [N][C]}
     * @param policy      {@link HazardPolicy#STRICT} rejects the first constant row
     * @param consequence what a std of 0 does on the given side; it ends the message "row i: the student's (or
     *                    teacher's) logits are all equal (x), so their std is 0 and ..."
     * @return the constant rows of the batch
     * @throws HazardException under STRICT, on the first row with constant student or teacher logits (the student
     *                         named first)
     */
    static ConstantRows of(double[][] s, double[][] t, HazardPolicy policy, Function<Side, String> consequence) {
        int n = s.length;
        boolean[] student = new boolean[n];
        boolean[] teacher = new boolean[n];
        for (int i = 0; i < n; i++) {
            student[i] = RowMath.constant(s[i]);
            teacher[i] = RowMath.constant(t[i]);
            if ((student[i] || teacher[i]) && policy == HazardPolicy.STRICT) {
                double[] row = student[i] ? s[i] : t[i];
                Side side = student[i] ? Side.STUDENT : Side.TEACHER;
                throw new HazardException(i, "row " + i + ": the " + side + "'s logits are all equal (" + row[0]
                        + "), so their std is 0 and " + consequence.apply(side));
            }
        }
        return new ConstantRows(student, teacher);
    }
}
