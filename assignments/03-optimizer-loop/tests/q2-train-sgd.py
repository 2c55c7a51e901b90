OK_FORMAT = True

test = {   'name': 'q2-train-sgd',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _f = lambda t: (t[0] - 3) ** 2 + (t[1] + 2) ** 2 + 8\n'
                                               '>>> _start = torch.tensor([10.0, 10.0])\n'
                                               '>>> _params, _losses = train_sgd(_f, _start, 0.1, 20)\n'
                                               '>>> assert len(_params) == len(_losses) == 20\n'
                                               '>>> assert torch.allclose(_params[0], torch.tensor([8.6, 7.6]), atol=0.0001) and abs(_losses[0] - 201) < 0.001\n'
                                               '>>> assert torch.allclose(_params[19], torch.tensor([3.0807, -1.8616]), atol=0.0001) and abs(_losses[19] - 8.0401) < 0.0001\n'
                                               '>>> assert torch.equal(_start, torch.tensor([10.0, 10.0]))\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
