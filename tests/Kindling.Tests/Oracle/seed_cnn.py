"""The seeds' CIFAR-100 CNN in PyTorch, with the submodule names of Kindling's SeedCnn (src/Kindling/Models/SeedCnn.cs),
so state dicts move between the two unchanged: four blocks of [conv3x3-BN-ReLU x2, maxpool 2, dropout], then
flatten, linear 1024, ReLU, dropout, linear 512, ReLU, dropout, linear num_classes."""
from collections import OrderedDict

import torch.nn as nn


class SeedCnn(nn.Module):
    def __init__(self, num_classes=100, in_channels=3, input_size=32, drop_rate=0.2):
        super().__init__()
        blocks, channels, size = OrderedDict(), in_channels, input_size
        for b, width in enumerate((64, 128, 256, 512)):
            blocks[f"block{b + 1}"] = nn.Sequential(OrderedDict([
                ("conv1", nn.Conv2d(channels, width, 3, padding=1, bias=False)),
                ("bn1", nn.BatchNorm2d(width)),
                ("relu1", nn.ReLU(inplace=True)),
                ("conv2", nn.Conv2d(width, width, 3, padding=1, bias=False)),
                ("bn2", nn.BatchNorm2d(width)),
                ("relu2", nn.ReLU(inplace=True)),
                ("pool", nn.MaxPool2d(2)),
                ("drop", nn.Dropout(drop_rate)),
            ]))
            channels, size = width, size // 2
        self.features = nn.Sequential(blocks)
        self.classifier = nn.Sequential(OrderedDict([
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(channels * size * size, 1024)),
            ("relu1", nn.ReLU(inplace=True)),
            ("drop1", nn.Dropout(drop_rate)),
            ("fc2", nn.Linear(1024, 512)),
            ("relu2", nn.ReLU(inplace=True)),
            ("drop2", nn.Dropout(drop_rate)),
            ("fc3", nn.Linear(512, num_classes)),
        ]))

    def forward(self, x):
        return self.classifier(self.features(x))
