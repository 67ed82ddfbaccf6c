package org.pathoreason.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvRecordsTest {

    @TempDir
    Path dir;

    static List<CsvRecords.Row> read(String text) throws Exception {
        List<CsvRecords.Row> rows = new ArrayList<>();
        try (CsvRecords csv = CsvRecords.open(new StringReader(text), "t.csv")) {
            for (CsvRecords.Row row; (row = csv.next()) != null; ) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void quotedFieldsLineBreaksBlankLinesAndLineNumbers() throws Exception {
        List<CsvRecords.Row> rows = read("\uFEFFa,b,c\r\n1,\"x, \"\"y\"\"\nz\",\r\n\r\n\n2,,\"\"\n\"\"\n3");
        assertThat(rows).containsExactly(
                new CsvRecords.Row(1, List.of("a", "b", "c")),
                new CsvRecords.Row(2, List.of("1", "x, \"y\"\nz", "")),
                new CsvRecords.Row(6, List.of("2", "", "")),
                new CsvRecords.Row(7, List.of("")), // a quoted empty field is a record, a blank line is not
                new CsvRecords.Row(8, List.of("3")));
    }

    @Test
    void readsAFileWithAByteOrderMark() throws Exception {
        Path file = Files.writeString(dir.resolve("f.csv"), "\uFEFFID,Question\n7,\"Why?\"\n", StandardCharsets.UTF_8);
        assertThat(CsvRecords.readAll(file)).extracting(CsvRecords.Row::fields)
                .containsExactly(List.of("ID", "Question"), List.of("7", "Why?"));
    }

    @Test
    void brokenRecordsNameSourceAndTheLineTheyStartOn() {
        assertThatThrownBy(() -> read("a,b\n1,2\n3,\"never closed,x\ny\n")).isInstanceOf(CsvRecords.CsvException.class)
                .isInstanceOf(PathoReasonException.class).hasMessage("t.csv:3: quoted field is never closed")
                .satisfies(e -> assertThat(((CsvRecords.CsvException) e).line()).isEqualTo(3));
        assertThatThrownBy(() -> read("a,b\n\"x\"y,z\n")).isInstanceOf(CsvRecords.CsvException.class)
                .hasMessageStartingWith("t.csv:2: Unexpected character ('y'");
    }
}
