# Writes presets/{ae,cvae,pixelcnn,gan}.json. Kept as a script so the graphs stay easy to review and regenerate.
import json

class G:
    def __init__(s): s.nodes=[]; s.edges=[]
    def n(s,id,type,x,y,params=None,label=None,**kw):
        node={"id":id,"type":type,"position":{"x":x,"y":y},"params":params or {}}
        if label: node["label"]=label
        node.update(kw); s.nodes.append(node)
    def e(s,src,sp,dst,dp):
        s.edges.append({"id":f"{src}.{sp}-{dst}.{dp}","source":src,"sourcePort":sp,"target":dst,"targetPort":dp})
    def save(s,name,title,description,goals,seed=1):
        doc={"schemaVersion":1,"meta":{"title":title,"description":description,"goals":goals,"seed":seed},"nodes":s.nodes,"edges":s.edges}
        json.dump(doc,open(f"presets/{name}",'w'),indent=2,ensure_ascii=False); open(f"presets/{name}",'a').write('\n')

# Deep MLP autoencoder
g=G()
g.n("data","dataset",0,200,{"source":"mnist","batchSize":128},"MNIST digits")
g.n("enc","encoder",250,200,{"kind":"mlp","hidden":[128,64],"latent":32,"output":"deterministic"},"Encoder 784→128→64→32")
g.n("dec","decoder",550,200,{"kind":"mlp","hidden":[64,128],"outputShape":"flat784","outputActivation":"linear"},"Decoder 32→64→128→784")
g.n("flat","flatten",550,400,{},"Flatten target")
g.n("recon","bce",850,250,{"fromLogits":True,"reduction":"sum"},"Reconstruction (BCE)")
g.n("adam","optimizer",1100,250,{"algorithm":"adam","learningRate":0.001},"Adam")
g.e("data","x","enc","x"); g.e("enc","z","dec","z"); g.e("data","x","flat","x")
g.e("dec","y","recon","prediction"); g.e("flat","y","recon","target"); g.e("recon","loss","adam","loss")
g.save("ae.json","Deep autoencoder",
 "A deep MLP autoencoder, 784→128→64→32→64→128→784 with ReLU layers. The encoder squeezes each digit into a 32-number code; the decoder must rebuild the digit from that code alone. The output is a sigmoid of the decoder's logits, trained with binary cross-entropy (computed from the logits, which is the same loss, numerically safer).",
 ["See how much of a digit survives a 32-number bottleneck.","Compare the latent map of an autoencoder with a VAE's: the AE's codes are not arranged for sampling.","Make the bottleneck smaller (latent 2) and watch reconstructions blur."])

# Conditional VAE
g=G()
g.n("data","dataset",0,150,{"source":"mnist","batchSize":128},"MNIST digits")
g.n("label","label",0,420,{},"Digit label")
g.n("flat","flatten",220,150,{},"Flatten")
g.n("xin","concat",440,150,{},"Image + label")
g.n("enc","dense",660,150,{"units":512,"activation":"relu"},"Encoder hidden")
g.n("mu","dense",880,60,{"units":20,"activation":"linear"},"μ head")
g.n("logvar","dense",880,260,{"units":20,"activation":"linear"},"log σ² head")
g.n("z","sampler",1100,150,{},"Sampler")
g.n("zin","concat",1320,200,{},"Code + label")
g.n("dec","dense",1540,200,{"units":512,"activation":"relu"},"Decoder hidden")
g.n("logits","dense",1760,200,{"units":784,"activation":"linear"},"Pixel logits")
g.n("recon","bce",1980,120,{"fromLogits":True,"reduction":"sum"},"Reconstruction (Bernoulli NLL)")
g.n("kl","gaussianKl",1320,420,{},"KL to prior")
g.n("elbo","weightedSum",2200,250,{"wa":1,"wb":1},"Training objective")
g.n("adam","optimizer",2420,250,{"algorithm":"adam","learningRate":0.001},"Adam")
g.e("data","x","flat","x"); g.e("flat","y","xin","a"); g.e("label","y","xin","b"); g.e("xin","y","enc","x")
g.e("enc","y","mu","x"); g.e("enc","y","logvar","x"); g.e("mu","y","z","mean"); g.e("logvar","y","z","logVar")
g.e("z","z","zin","a"); g.e("label","y","zin","b"); g.e("zin","y","dec","x"); g.e("dec","y","logits","x")
g.e("logits","y","recon","prediction"); g.e("flat","y","recon","target")
g.e("mu","y","kl","mean"); g.e("logvar","y","kl","logVar"); g.e("recon","loss","elbo","a"); g.e("kl","loss","elbo","b"); g.e("elbo","loss","adam","loss")
g.save("cvae.json","Conditional VAE",
 "The VAE, told which digit it is looking at: the one-hot label is concatenated to the encoder's input and to the decoder's input. The latent code no longer has to store the digit's identity, so it is free to hold its style — slant, thickness, size. When generating you pick the class.",
 ["Generate a chosen digit: pick the class in the sample view.","Keep the code fixed and change the label: the same style, a different digit.","Compare the latent map with the plain VAE's: classes no longer form clusters."])

# PixelCNN
g=G()
g.n("data","dataset",0,200,{"source":"mnist","batchSize":64,"binarize":"stochastic"},"Binarized digits")
g.e("data","x","a","x")
g.n("a","maskedConv2d",220,200,{"maskType":"A","filters":64,"kernelSize":7,"activation":"relu"},"7×7 mask A")
prev="a"
for i in range(5):
    g.n(f"b{i}","maskedConv2d",440+i*440,80,{"maskType":"B","filters":64,"kernelSize":3,"activation":"relu"},f"3×3 mask B #{i+1}")
    g.n(f"r{i}","add",660+i*440,200,{},f"Residual #{i+1}")
    g.e(prev,"y",f"b{i}","x"); g.e(prev,"y",f"r{i}","a"); g.e(f"b{i}","y",f"r{i}","b"); prev=f"r{i}"
g.n("head","conv2d",2640,200,{"filters":1,"kernelSize":1,"stride":1,"padding":"same","activation":"linear","init":"glorotUniform"},"1×1 head → logit per pixel")
g.n("nll","bce",2860,200,{"fromLogits":True,"reduction":"sum"},"NLL (Bernoulli, nats)")
g.n("adam","optimizer",3080,200,{"algorithm":"adam","learningRate":0.001},"Adam")
g.e(prev,"y","head","x"); g.e("head","y","nll","prediction"); g.e("data","x","nll","target"); g.e("nll","loss","adam","loss")
g.save("pixelcnn.json","PixelCNN",
 "An autoregressive model of binarized digits (van den Oord et al. 2016): the probability of each pixel is predicted from the pixels above it and to its left only. Masked convolutions enforce that ordering — the first layer (mask A) cannot even see the pixel it predicts, later layers (mask B) can see their own position's features. Sampling is pixel by pixel, 784 steps per image. The loss is the exact negative log-likelihood in nats.",
 ["Watch sampling fill an image one pixel at a time.","Read the loss as an exact likelihood: divide by 784·ln 2 for bits per pixel.","Change the first mask to B and see the loss collapse — the model is cheating by looking at the answer."])

# DCGAN
g=G()
g.n("noise","noise",0,420,{"size":64,"distribution":"gaussian"},"Noise z ~ N(0, I)")
g.n("gen","generator",250,420,{"kind":"conv","hidden":[128,64],"outputShape":"image28","outputActivation":"sigmoid","batchNorm":True},"Generator")
g.n("data","dataset",250,120,{"source":"mnist","batchSize":64},"Real digits")
g.n("dReal","discriminator",550,120,{"kind":"conv","hidden":[64,128]},"Discriminator (real)")
g.n("dFake","discriminator",550,420,{"kind":"conv","hidden":[64,128]},"Discriminator (fake, shared weights)",sharesWeightsWith="dReal")
g.n("dLoss","ganLoss",850,180,{"player":"discriminator","kind":"nonSaturating"},"Discriminator loss")
g.n("gLoss","ganLoss",850,460,{"player":"generator","kind":"nonSaturating"},"Generator loss")
g.n("optD","optimizer",1100,180,{"algorithm":"adam","learningRate":0.0002,"beta1":0.5,"trains":["dReal"],"stepsPerRound":1},"Adam (discriminator)")
g.n("optG","optimizer",1100,460,{"algorithm":"adam","learningRate":0.0002,"beta1":0.5,"trains":["gen"],"stepsPerRound":1},"Adam (generator)")
g.e("noise","z","gen","z"); g.e("data","x","dReal","x"); g.e("gen","y","dFake","x")
g.e("dReal","logits","dLoss","realLogits"); g.e("dFake","logits","dLoss","fakeLogits"); g.e("dFake","logits","gLoss","fakeLogits")
g.e("dLoss","loss","optD","loss"); g.e("gLoss","loss","optG","loss")
g.save("gan.json","DCGAN",
 "A generative adversarial network with convolutions (Radford et al. 2015). The generator turns 64 random numbers into a 28×28 image through up-convolutions; the discriminator, a stack of strided convolutions, scores images as real or fake. One discriminator is applied to real and to generated images with the same weights (the dashed link). Two optimizers play the game: one step of the discriminator, then one of the generator, with the non-saturating loss.",
 ["Watch the two losses pull against each other instead of both falling.","Step only the discriminator a few times and see the generator's loss jump.","Switch the generator loss to minimax and see why non-saturating trains faster."])
