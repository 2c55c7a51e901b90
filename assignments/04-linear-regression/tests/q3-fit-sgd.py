OK_FORMAT = True

test = {   'name': 'q3-fit-sgd',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _X = torch.tensor([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])\n'
                                               '>>> _w = fit_sgd(_X, _X @ torch.tensor([2.0, 1.0]), 0.1, 2000)\n'
                                               '>>> assert _w.requires_grad\n'
                                               '>>> assert torch.allclose(_w.detach(), torch.tensor([2.0, 1.0]), atol=0.01)\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
