package org.pathoreason.text.extract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values printed by CPython 3.11 ({@code import random; random.seed(...); ...}). */
class PythonRandomTest {

    @Test
    void randomMatchesCpython() {
        PythonRandom r = new PythonRandom(42);
        assertThat(r.random()).isEqualTo(0.6394267984578837);
        assertThat(r.random()).isEqualTo(0.025010755222666936);
        assertThat(new PythonRandom(0).random()).isEqualTo(0.8444218515250481);
        assertThat(new PythonRandom(-7).random()).isEqualTo(0.32383276483316237);
        assertThat(new PythonRandom((1L << 40) + 5).random()).isEqualTo(0.5043802970418443);
    }

    @Test
    void getrandbitsMatchesCpython() {
        PythonRandom r = new PythonRandom(42);
        assertThat(List.of(r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)))
                .containsExactly(2746317213L, 478163327L, 107420369L);
        PythonRandom small = new PythonRandom(42);
        List<Long> twoBits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            twoBits.add(small.getrandbits(2));
        }
        assertThat(twoBits).containsExactly(2L, 0L, 0L, 2L, 1L, 0L, 0L, 0L, 2L, 0L);
        PythonRandom wide = new PythonRandom(42);
        assertThat(wide.getrandbits(33)).isEqualTo(2746317213L);
        assertThat(wide.getrandbits(40)).isEqualTo(811856239313L);
        assertThat(wide.getrandbits(63)).isEqualTo(2258728696626565719L);
    }

    @Test
    void choiceMatchesCpythonSequences() {
        assertThat(choices(List.of("A", "B", "C", "D"), 40)).isEqualTo("AACBBBAADAAABBABDBDCABDCCBBCAADACCCADADA");
        assertThat(choices(List.of("A", "B", "C", "D", "E"), 40)).isEqualTo("AACBBBAEAEDAAABBEEAEBEDBDECABDCCBBCAADAC");
        assertThat(choices(List.of("A", "B"), 40)).isEqualTo("AABAAAAABAAAAAAABABBAABBBAABAABABBBABABA");
        PythonRandom r = new PythonRandom(42);
        List<Integer> below = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            below.add(r.randbelow(1000));
        }
        assertThat(below).containsExactly(654, 114, 25, 759, 281);
    }

    private static String choices(List<String> letters, int n) {
        PythonRandom r = new PythonRandom(42);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(r.choice(letters));
        }
        return sb.toString();
    }
}
