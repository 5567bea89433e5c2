package dev.panagrad.io.internal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JsonTest {
    @Test
    void parsesNestedValuesInOrder() {
        Object v = Json.parse(" {\"b\": [1, -2, 3.5, 1e3, true, false, null], \"a\": {\"x\": \"y\"}} ");
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(Arrays.asList(1L, -2L, 3.5, 1000.0, true, false, null), m.get("b"));
        assertEquals(Map.of("x", "y"), m.get("a"));
    }

    @Test
    void numbers() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"));   // beyond long: a double
        assertEquals(-0.025, Json.parse("-2.5E-2"));
    }

    @Test
    void stringEscapes() {
        assertEquals("a\"b\\c/d\n\t\u00e9\ud83d\ude00", Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\""));
        assertEquals("caf\u00e9", Json.parse("\"caf\u00e9\""));
    }

    @Test
    void writeReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "tab\there \"quoted\" \u0001");
        m.put("values", List.of(1, 2.5, -3L));
        m.put("ok", true);
        m.put("none", null);
        m.put("array", new Object[] {"x", 1, null});
        String text = Json.write(m);
        assertEquals("{\"name\":\"tab\\there \\\"quoted\\\" \\u0001\",\"values\":[1,2.5,-3],\"ok\":true,\"none\":null,"
                + "\"array\":[\"x\",1,null]}", text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(m.get("name"), back.get("name"));
        assertEquals(List.of(1L, 2.5, -3L), back.get("values"));
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        assertEquals("[null,null,1.0]", Json.write(List.of(Double.NaN, Float.POSITIVE_INFINITY, 1.0)));
    }

    @Test
    void malformedTextIsRejectedWithItsPosition() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1}x", "\"open", "01",
                "-", "1.", "1e", "tru", "{1:2}", "\"\\x\"", "\"\\u12\"", "\"a\nb\"", "[1 2]"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("json: ") && e.getMessage().contains("at character"), e.getMessage());
        }
        String dup = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage();
        assertTrue(dup.contains("duplicate key \"a\""), dup);
        String deep = "[".repeat(10_000);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse(deep)).getMessage().contains("nesting"));
    }

    @Test
    void writeRejectsOtherObjects() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(new Object())));
    }
}
