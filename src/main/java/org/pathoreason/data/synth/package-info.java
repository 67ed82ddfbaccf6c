/**
 * SynthPath, the built-in synthetic pathology world: a small knowledge graph of diagnoses defined by findings
 * ({@code pathology-mini-graph.json}), a renderer that draws H&E-like tiles showing those findings
 * ({@link org.pathoreason.data.synth.TileRenderer}), and a generator of canonical samples whose answers follow from
 * the drawn findings and the graph ({@link org.pathoreason.data.synth.SynthGenerator}).
 *
 * <p>Rules of the world: a diagnosis has required and optional findings; a tile shows all required findings of its
 * diagnosis and a subset of the optional ones, and nothing else; exactly one diagnosis of the graph is consistent
 * with what is drawn. Questions (diagnosis and feature multiple choice, yes/no about a finding, open description,
 * captions) carry a reasoning target: an observation of the visible findings and a chain of graph relations to the
 * answer, with every other option ruled out by a missing required finding or an unexplained visible one.
 *
 * <p>Evidence in the pixels is checked with {@link org.pathoreason.train.FindingProbe}, a small CNN trained to
 * recognise each finding on freshly rendered tiles ({@code pathoreason synth probe}).
 */
package org.pathoreason.data.synth;

