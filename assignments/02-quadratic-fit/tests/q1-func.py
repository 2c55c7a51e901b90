OK_FORMAT = True

test = {   'name': 'q1-func',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert torch.allclose(func(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 2.0, 3.0])), torch.tensor([3.0, 6.0, 11.0]))\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
