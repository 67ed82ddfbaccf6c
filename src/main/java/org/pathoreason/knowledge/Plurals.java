package org.pathoreason.knowledge;

import java.util.ArrayList;
import java.util.List;

/** Plural forms of a folded (lower-case) term's last word, for the entity matcher. */
final class Plurals {

    private Plurals() {
    }

    static List<String> of(String term) {
        List<String> forms = new ArrayList<>(3);
        int wordStart = term.lastIndexOf(' ') + 1;
        int n = term.length();
        if (n - wordStart < 3) {
            return forms;
        }
        for (int i = wordStart; i < n; i++) {
            if (!Character.isLetter(term.charAt(i))) {
                return forms; // CD3, HER2, ki-67: codes have no plural
            }
        }
        char last = term.charAt(n - 1);
        char before = term.charAt(n - 2);
        String stem1 = term.substring(0, n - 1);
        String stem2 = term.substring(0, n - 2);
        if (last == 's' || last == 'x' || last == 'z' || term.endsWith("ch") || term.endsWith("sh")) {
            forms.add(term + "es");
        } else if (last == 'y' && "aeiou".indexOf(before) < 0) {
            forms.add(stem1 + "ies");
        } else {
            forms.add(term + "s");
        }
        if (term.endsWith("us")) {
            forms.add(stem2 + "i");          // nucleus -> nuclei
        } else if (term.endsWith("is")) {
            forms.add(stem2 + "es");         // metastasis -> metastases
        } else if (term.endsWith("um")) {
            forms.add(stem2 + "a");          // epithelium -> epithelia
        } else if (last == 'a') {
            forms.add(term + "e");           // vertebra -> vertebrae
        } else if (term.endsWith("ex") || term.endsWith("ix")) {
            forms.add(stem2 + "ices");       // cortex -> cortices
        }
        return forms;
    }
}
