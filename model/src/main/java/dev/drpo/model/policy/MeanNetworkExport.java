package dev.drpo.model.policy;

import java.io.File;
import java.io.IOException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The policy's mean network mu(s) as a standard DL4J {@link MultiLayerNetwork} (dense ReLU layers
 * and an identity output layer, same weights), so anything in the DL4J ecosystem can serve it:
 * {@code ModelSerializer.restoreMultiLayerNetwork(file).output(states)} is mu(s).
 */
public final class MeanNetworkExport {
  private MeanNetworkExport() {}

  public static MultiLayerNetwork toMultiLayerNetwork(GaussianPolicy policy) {
    if (policy.config().linearPath()) {
      throw new IllegalArgumentException("a DL4J MultiLayerNetwork has no linear path beside its layers: only the "
          + PolicyConfig.Backbone.MLP + " backbone exports (serve " + policy.config().backbone() + " from its snapshot)");
    }
    Mlp mlp = policy.meanNetwork();
    int[] sizes = mlp.sizes();
    NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
        .dataType(policy.dataType())
        .list();
    for (int l = 0; l + 1 < sizes.length; l++) {
      boolean output = l + 2 == sizes.length;
      layers.layer(output
          ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(sizes[l]).nOut(sizes[l + 1]).activation(Activation.IDENTITY).build()
          : new DenseLayer.Builder().nIn(sizes[l]).nOut(sizes[l + 1]).activation(Activation.RELU).build());
    }
    MultiLayerConfiguration conf = layers.build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    for (int l = 0; l + 1 < sizes.length; l++) {
      net.setParam(l + "_W", mlp.weight(l).dup());
      net.setParam(l + "_b", mlp.bias(l).dup());
    }
    return net;
  }

  public static void write(GaussianPolicy policy, File file) throws IOException {
    ModelSerializer.writeModel(toMultiLayerNetwork(policy), file, false);
  }

  /**
   * Loads a mean network written by {@link #write} (or any dense ReLU network of the same layer
   * sizes) into a policy's mean network; log sigma is left as it is.
   */
  public static void load(File file, GaussianPolicy policy) throws IOException {
    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(file, false);
    Mlp mlp = policy.meanNetwork();
    int[] sizes = mlp.sizes();
    if (net.getnLayers() != sizes.length - 1) {
      throw new IllegalArgumentException(file + " has " + net.getnLayers() + " layers, the policy's mean network has " + (sizes.length - 1));
    }
    for (int l = 0; l + 1 < sizes.length; l++) {
      var w = net.getParam(l + "_W");
      if (w.size(0) != sizes[l] || w.size(1) != sizes[l + 1]) {
        throw new IllegalArgumentException("layer " + l + " of " + file + " is " + w.size(0) + "x" + w.size(1)
            + ", the policy needs " + sizes[l] + "x" + sizes[l + 1]);
      }
      mlp.weight(l).assign(w);
      mlp.bias(l).assign(net.getParam(l + "_b").reshape(1, sizes[l + 1]));
    }
  }
}
