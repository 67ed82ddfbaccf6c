/**
 * Reading answers from model completions, selectable by {@link org.pathoreason.text.extract.ExtractionMode}:
 * <ul>
 *   <li>{@code strict} (PathVLM-R1): the first complete {@code <answer>} span must give exactly one option
 *       letter, with or without that option's text;</li>
 *   <li>{@code pathmmu}: PathMMU's official {@code get_multi_choice_prediction} on the raw completion
 *       ({@link org.pathoreason.text.extract.PathMmuChoiceParser}; reproduces
 *       {@code src/test/resources/fixtures/vectors/mcq-extraction.json}), with its {@code random.seed(42)} fallback available through
 *       a CPython-exact Mersenne Twister ({@link org.pathoreason.text.extract.PythonRandom});</li>
 *   <li>{@code lenient}: tags stripped, then PathMMU's rules made more forgiving.</li>
 * </ul>
 * Yes/no and free-text answers are read by the same extractors.
 */
package org.pathoreason.text.extract;

