OK_FORMAT = True

test = {   'name': 'q2-train-sgd',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _f = lambda t: (t[0] - 3) ** 2 + (t[1] + 2) ** 2 + 8\n'
                                               '>>> _start = torch.tensor([10.0, 10.0])\n'
                                               '>>> _params, _losses = train_sgd(_f, _start, 0.1, 20)\n'
                                               ">>> assert len(_params) == len(_losses) == 20, 'one entry per epoch in each history'\n"
                                               ">>> assert torch.allclose(torch.as_tensor(_params[0]), torch.tensor([8.6, 7.6]), atol=0.0001), 'epoch 0 should end at [8.6, 7.6]'\n"
                                               ">>> assert abs(_losses[0] - 201) < 0.001, 'the loss of epoch 0 should be 201'\n"
                                               ">>> assert torch.allclose(torch.as_tensor(_params[19]), torch.tensor([3.0807, -1.8616]), atol=0.0001), 'epoch 19 should end at [3.0807, -1.8616]'\n"
                                               ">>> assert abs(_losses[19] - 8.0401) < 0.0001, 'the loss of epoch 19 should be 8.0401'\n"
                                               ">>> assert torch.equal(_start, torch.tensor([10.0, 10.0])), 'train_sgd must not change start'\n",
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
