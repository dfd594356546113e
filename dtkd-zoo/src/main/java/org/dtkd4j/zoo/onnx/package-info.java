/**
 * ONNX support: reading model files and tensors ({@link org.dtkd4j.zoo.onnx.OnnxFiles}), loading PyTorch-exported
 * weights into zoo graphs by {@code state_dict} name ({@link org.dtkd4j.zoo.onnx.PyTorchWeights}, from ONNX files or
 * NumPy {@code .npz} archives read by {@link org.dtkd4j.zoo.onnx.NumpyArchives}), and importing ONNX graphs as
 * teachers.
 */
package org.dtkd4j.zoo.onnx;
